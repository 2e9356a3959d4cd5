/*
 * A stand-in for Razorpay's checkout.js, served by the local stack's Razorpay sandbox.
 *
 * Same surface as the real script: `new Razorpay(options)`, `.open()`, `.close()`,
 * `.on("payment.failed", fn)`; `options.handler({razorpay_payment_id, razorpay_order_id,
 * razorpay_signature})` on success (the modal closes), `payment.failed` with `{error: {code,
 * description, source, step, reason, metadata: {order_id, payment_id}}}` on each failed attempt (the
 * modal stays open to retry; with `retry.enabled` false it only shows the error and can be closed),
 * and `modal.ondismiss()` when the person
 * closes it (the close button, Esc unless `modal.escape` is false, the backdrop only with
 * `modal.backdropclose`). The modal is a dialog with a focus trap that gives focus back on close.
 * Strict-CSP safe: no inline script or style; its stylesheet is a file beside it.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var base = new URL('.', script && script.src ? script.src : window.location.href + '_razorpay/');
  var METHODS = [['upi', 'UPI'], ['card', 'Card'], ['netbanking', 'Netbanking']];
  var OUTCOMES = [['success', 'Success'], ['failure', 'Failure'], ['late', 'Late authorisation']];
  var counter = 0;

  function loadStyles() {
    var href = new URL('checkout.css', base).href;
    if (document.querySelector('link[data-razorpay-sandbox]')) return;
    var link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.setAttribute('data-razorpay-sandbox', '');
    document.head.appendChild(link);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function rupees(paise, currency) {
    var amount = (Number(paise) || 0) / 100;
    var symbol = (currency || 'INR') === 'INR' ? '\u20b9' : currency + ' ';
    return symbol + amount.toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function Razorpay(options) {
    if (!(this instanceof Razorpay)) return new Razorpay(options);
    if (!options || !options.key) throw new Error('Razorpay: the key option is required');
    this.options = options;
    this._listeners = {};
    this._dialog = null;
    this._busy = false;
    counter += 1;
    this._id = 'razorpay-sandbox-' + counter;
  }

  Razorpay.prototype.on = function (event, fn) {
    (this._listeners[event] = this._listeners[event] || []).push(fn);
    return this;
  };

  Razorpay.prototype._emit = function (event, payload) {
    (this._listeners[event] || []).forEach(function (fn) { fn(payload); });
  };

  Razorpay.prototype.open = function () {
    if (this._dialog) return this;
    loadStyles();
    this._returnFocus = document.activeElement;
    this._build();
    return this;
  };

  Razorpay.prototype.close = function () {
    if (!this._dialog) return;
    document.removeEventListener('keydown', this._onKey, true);
    this._dialog.parentNode.removeChild(this._dialog);
    this._dialog = null;
    if (this._returnFocus && typeof this._returnFocus.focus === 'function') this._returnFocus.focus();
  };

  Razorpay.prototype._dismiss = function () {
    if (!this._dialog || this._busy) return;
    this.close();
    var modal = this.options.modal || {};
    if (typeof modal.ondismiss === 'function') modal.ondismiss();
  };

  Razorpay.prototype._build = function () {
    var self = this;
    var o = this.options;
    var backdrop = element('div', 'rzp-sandbox-backdrop');
    var dialog = element('div', 'rzp-sandbox-dialog');
    dialog.setAttribute('role', 'dialog');
    dialog.setAttribute('aria-modal', 'true');
    dialog.setAttribute('aria-labelledby', this._id + '-title');
    dialog.setAttribute('aria-describedby', this._id + '-amount');

    var header = element('div', 'rzp-sandbox-header');
    var title = element('h2', 'rzp-sandbox-title', o.name || 'Checkout');
    title.id = this._id + '-title';
    var close = element('button', 'rzp-sandbox-close', '\u00d7');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close checkout');
    close.addEventListener('click', function () { self._dismiss(); });
    header.appendChild(title);
    header.appendChild(close);
    dialog.appendChild(header);
    if (o.description) dialog.appendChild(element('p', 'rzp-sandbox-description', o.description));
    var amount = element('p', 'rzp-sandbox-amount', o.amount ? rupees(o.amount, o.currency) : '');
    amount.id = this._id + '-amount';
    dialog.appendChild(amount);
    if (!o.amount && o.order_id) {  // like the real one, the order tells the amount
      var query = '?key=' + encodeURIComponent(o.key) + '&order_id=' + encodeURIComponent(o.order_id);
      fetch(new URL('checkout/order' + query, base).href)
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (order) { if (order) amount.textContent = rupees(order.amount, order.currency); })
        .catch(function () { /* the amount stays blank; paying still works */ });
    }

    var methods = element('fieldset', 'rzp-sandbox-methods');
    methods.appendChild(element('legend', '', 'Pay with'));
    METHODS.forEach(function (method, index) {
      var label = element('label', 'rzp-sandbox-method');
      var radio = element('input');
      radio.type = 'radio';
      radio.name = self._id + '-method';
      radio.value = method[0];
      radio.checked = index === 0;
      label.appendChild(radio);
      label.appendChild(document.createTextNode(' ' + method[1]));
      methods.appendChild(label);
    });
    dialog.appendChild(methods);

    var outcomes = element('div', 'rzp-sandbox-outcomes');
    outcomes.setAttribute('role', 'group');
    outcomes.setAttribute('aria-label', 'Test outcome (local sandbox)');
    OUTCOMES.forEach(function (outcome) {
      var button = element('button', 'rzp-sandbox-outcome rzp-sandbox-' + outcome[0], outcome[1]);
      button.type = 'button';
      button.setAttribute('data-outcome', outcome[0]);
      button.addEventListener('click', function () { self._pay(outcome[0]); });
      outcomes.appendChild(button);
    });
    dialog.appendChild(outcomes);

    this._status = element('p', 'rzp-sandbox-status');
    this._status.setAttribute('role', 'status');
    this._status.setAttribute('aria-live', 'polite');
    dialog.appendChild(this._status);
    dialog.appendChild(element('p', 'rzp-sandbox-note', 'Local Razorpay sandbox: no money moves.'));

    backdrop.appendChild(dialog);
    backdrop.addEventListener('click', function (event) {
      if (event.target === backdrop && (o.modal || {}).backdropclose) self._dismiss();
    });
    this._onKey = function (event) { self._key(event); };
    document.addEventListener('keydown', this._onKey, true);
    document.body.appendChild(backdrop);
    this._dialog = backdrop;
    this._box = dialog;
    methods.querySelector('input').focus();
  };

  Razorpay.prototype._key = function (event) {
    if (!this._dialog) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      if ((this.options.modal || {}).escape !== false) this._dismiss();
      return;
    }
    if (event.key !== 'Tab') return;
    var focusable = Array.prototype.filter.call(
      this._box.querySelectorAll('button, input, [tabindex]:not([tabindex="-1"])'),
      function (node) { return !node.disabled && !(node.type === 'radio' && !node.checked); }
    );
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    var inside = this._box.contains(document.activeElement);
    if (event.shiftKey && (document.activeElement === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  };

  Razorpay.prototype._setBusy = function (busy, message) {
    this._busy = busy;
    Array.prototype.forEach.call(this._box.querySelectorAll('button, input'), function (node) {
      node.disabled = busy;
    });
    this._status.setAttribute('role', 'status');
    this._status.className = 'rzp-sandbox-status';
    this._status.textContent = message || '';
  };

  Razorpay.prototype._fail = function (message) {
    this._setBusy(false, message);
    this._status.setAttribute('role', 'alert');
    this._status.className = 'rzp-sandbox-status rzp-sandbox-error';
  };

  Razorpay.prototype._pay = function (outcome) {
    var self = this;
    var o = this.options;
    var checked = this._box.querySelector('input[type="radio"]:checked');
    this._setBusy(true, 'Processing payment\u2026');
    fetch(new URL('checkout/pay', base).href, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: o.key, order_id: o.order_id, method: checked ? checked.value : 'upi', outcome: outcome })
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          var error = answer.body && answer.body.error;
          self._fail((error && error.description) || 'The payment could not be started.');
          return;
        }
        if (answer.body.error) {
          self._emit('payment.failed', { error: answer.body.error });
          if ((o.retry || {}).enabled === false) {
            // No retry: the error stays on screen with only the close button (-> modal.ondismiss).
            self._fail(answer.body.error.description);
            Array.prototype.forEach.call(self._box.querySelectorAll('.rzp-sandbox-outcome, input'), function (node) {
              node.disabled = true;
            });
            self._box.querySelector('.rzp-sandbox-close').focus();
          } else {
            self._fail(answer.body.error.description + ' Choose a method to try again.');
          }
          return;
        }
        self._busy = false;
        self.close();
        if (typeof o.handler === 'function') o.handler(answer.body);
      })
      .catch(function () {
        self._fail('The payment could not be reached. Check the connection and try again.');
      });
  };

  window.Razorpay = Razorpay;
})();
