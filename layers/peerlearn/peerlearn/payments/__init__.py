"""Money in: Razorpay orders for held seats and gifts, the one confirmation both Checkout's verify and
the webhooks converge on, refunds, receipts and the admins' view. Every movement is posted to the
ledger in the same transaction as the state change it records."""
