"""Mentor payouts: bank details (sealed), earnings, withdrawals, admin approval, RazorpayX payouts and
their settlement from payout webhooks. Money moves only through peerlearn.ledger entries."""
