"""The admins' assistant: questions answered by a model on Groq that calls read-only tools over live
data (money from the ledger, users, mentors, sessions at risk, refunds, email drafts).

Sits above every domain it reads (only the HTTP edge is above it); talks to Groq only through
`peerlearn.adapters.groq`.
"""
