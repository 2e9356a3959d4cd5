// The test page's own script (same origin, no inline script): opens the Checkout stand-in with an
// order id from the query string and records every callback in window.results.
(function () {
  'use strict';
  var params = new URLSearchParams(window.location.search);
  window.results = [];
  var options = {
    key: params.get('key'),
    amount: Number(params.get('amount')),
    currency: 'INR',
    name: 'PeerLearn',
    description: 'Session booking',
    order_id: params.get('order_id'),
    handler: function (response) { window.results.push({ kind: 'handler', response: response }); },
    modal: { ondismiss: function () { window.results.push({ kind: 'dismiss' }); } }
  };
  if (params.get('retry') === 'off') options.retry = { enabled: false };
  var checkout = new window.Razorpay(options);
  checkout.on('payment.failed', function (response) { window.results.push({ kind: 'failed', response: response }); });
  document.getElementById('pay').addEventListener('click', function () { checkout.open(); });
})();
