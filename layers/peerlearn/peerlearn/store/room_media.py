"""Items of what a room keeps after the call: recordings (S3 multipart uploads) and chat files.

Both live under the room's partition (`ROOM#<session id>`), beside live-core's participants, chat
and attendance, so one Query lists them and nothing outside the room refers to them.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from peerlearn.store.base import BaseItem, Gsi1


class RecordingItem(BaseItem, discriminator="RECORDING"):
    """pk ROOM#<session id>, sk REC#<recording id>: uploading -> completed | aborted (no part came)."""

    recording_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    object_key = UnicodeAttribute()
    upload_id = UnicodeAttribute()
    content_type = UnicodeAttribute()
    status = UnicodeAttribute(default="uploading")
    created_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)
    completed_by = UnicodeAttribute(null=True)  # "mentor", or "abandoned" (the job or the session's end)
    part_count = NumberAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)  # RECORDINGS_UPLOADING while uploading
    gsi1sk = UnicodeAttribute(null=True)  # <created_at>#<session id>#<recording id>
    uploading = Gsi1()


class RoomFileItem(BaseItem, discriminator="ROOM_FILE"):
    """pk ROOM#<session id>, sk FILE#<file id>: a file shared in the room's chat."""

    file_id = UnicodeAttribute()
    session_id = UnicodeAttribute()
    uploader_id = UnicodeAttribute()
    name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    kind = UnicodeAttribute()  # image (shown inline) | file (downloaded)
    size_bytes = NumberAttribute()
    object_key = UnicodeAttribute()
    created_at = UnicodeAttribute()
