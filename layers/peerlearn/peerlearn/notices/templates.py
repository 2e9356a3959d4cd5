"""The named templates of admins' bulk emails: a subject and a body with `{{field}}` places, filled
once per recipient.

The admin writes a title and a body (which may use the recipient's fields too); a template frames
them. Filling is one pass over the template's text: a value is never read as a template again, so a
person named "{{body}}" is greeted by that name, not by the body. Values are plain text; the email's
HTML escapes everything it shows (peerlearn.notify.mail), so a name like "<b>" shows as typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from peerlearn.errors import BadRequest

FIELD = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

# Known for every recipient; `title` and `body` are the admin's own words (themselves filled first).
PERSON_FIELDS = ("name", "first_name")
# Known only for some audiences: the tag of a tag audience, the session of a session's attendees,
# the days of an inactive audience.
AUDIENCE_FIELDS = {"tag": "tag", "session_title": "session", "days": "inactive"}


@dataclass(frozen=True)
class Template:
    label: str
    subject: str
    body: str


TEMPLATES: dict[str, Template] = {
    "announcement": Template("Announcement", "{{title}}", "{{body}}"),
    "new_sessions": Template(
        "New sessions in a topic",
        "New in {{tag}}: {{title}}",
        "You told us you're interested in {{tag}}.\n\n{{body}}",
    ),
    "we_miss_you": Template(
        "We miss you",
        "{{first_name}}, {{title}}",
        "It has been {{days}} days or more since you were last on PeerLearn.\n\n{{body}}",
    ),
    "session_note": Template(
        "A note to a session's attendees",
        "{{session_title}}: {{title}}",
        "About {{session_title}}, a session you booked:\n\n{{body}}",
    ),
}


def fields_of(text: str) -> set[str]:
    return set(FIELD.findall(text))


def check(template_name: str, title: str, body: str, audience: str) -> None:
    """BadRequest naming the field when the template or the admin's text uses a field this audience
    can't fill (a tag outside a tag audience...) or one that doesn't exist."""
    template = TEMPLATES[template_name]
    for where, text in (("title", title), ("body", body)):
        for name in sorted(fields_of(text)):
            if name in ("title", "body"):
                raise BadRequest(f"{{{{{name}}}}} can't be used inside the {where}.", field=where)
            _check_field(name, audience, where)
    for name in sorted(fields_of(template.subject + template.body) - {"title", "body"}):
        _check_field(name, audience, "template")


def _check_field(name: str, audience: str, where: str) -> None:
    if name in PERSON_FIELDS:
        return
    needs = AUDIENCE_FIELDS.get(name)
    if needs is None:
        known = ", ".join(f"{{{{{f}}}}}" for f in (*PERSON_FIELDS, *AUDIENCE_FIELDS))
        raise BadRequest(f"There is no field {{{{{name}}}}}; use one of {known}.", field=where)
    if needs != audience:
        raise BadRequest(f"{{{{{name}}}}} is known only when the audience is '{needs}'.", field=where)


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{{field}}` replaced by its value (one pass; an unknown field left as is)."""
    return FIELD.sub(lambda found: values.get(found.group(1), found.group(0)), text)


def first_name(name: str) -> str:
    return (name.split() or [name])[0]


def render(
    template_name: str, *, title: str, body: str, name: str, audience_values: Mapping[str, str]
) -> tuple[str, str]:
    """(subject, body) for one recipient named `name`."""
    template = TEMPLATES[template_name]
    person = {"name": name, "first_name": first_name(name), **audience_values}
    values = {**person, "title": fill(title, person), "body": fill(body, person)}
    return fill(template.subject, values), fill(template.body, values)
