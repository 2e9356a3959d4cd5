"""Who is told what, when something changes: the stream's changes turned into notices for the people
concerned, the session reminders, and admin broadcasts. Delivery itself is peerlearn.notify."""
