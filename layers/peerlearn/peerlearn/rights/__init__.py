"""People's rights over their data (GDPR, India's DPDP Act): a download of everything about them, the
deletion of their account, and the record of each request that admins see and, when a step needs
them, complete. It sits above the domains it asks to act (bookings, sessions, accounts, payouts).
"""
