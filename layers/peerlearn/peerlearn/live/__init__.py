"""Live rooms: tickets, presence by participant, the waiting room, the WebRTC signal relay, chat and
the rest of the room's messages, pushed through the WebSocket API's management endpoint.

The protocol, the role matrix and the limits are written down in docs/rooms.md.
"""
