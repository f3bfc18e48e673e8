"""The add and edit forms: deform forms built from the content types' colander schemas.

A type's schema (``content/schemas.py``) gives the fields; here they get their widgets, and
the form gains what the schema cannot say: uploads (``image`` for types that have an image,
``file`` for files), the caption of the image, tags typed as one line, and the publication
date in the portal's time zone.

Uploads go through ``uploads.UploadStore`` and the checks of ``uploads.py``. Rich text always
passes ``clean_html`` before it is stored.

deform and colander ship no Vietnamese: their messages are translated through the portal's
catalogs (``FOREIGN_MESSAGES`` below lists them for the extractor).
"""
from datetime import UTC
from zoneinfo import ZoneInfo

import colander
import deform
from deform.template import ZPTRendererFactory, default_dir
from pyramid.threadlocal import get_current_request
from translationstring import TranslationString

from ...content.blobs import FileData, ImageData
from ...i18n import _
from ...sanitize import clean_html
from .uploads import (
    DEFAULT_MAX_FILE,
    DEFAULT_MAX_IMAGE,
    FILE_ACCEPT,
    IMAGE_ACCEPT,
    UploadStore,
    clean_filename,
    document_type,
    file_validator,
    image_validator,
    megabytes,
    upload_dir,
)

MAX_TAGS, MAX_TAG_LENGTH = 20, 60
NOTE_FIELD = "revision_note"
# The hidden number of the item's newest revision when its edit form was filled in.
REVISION_FIELD = "revision"

# colander's and deform's own messages that these forms can show, so that the extractor puts
# them in the portal's catalogs (neither package ships Vietnamese).
FOREIGN_MESSAGES = (
    _("Required"),
    _("Shorter than minimum length ${min}"),
    _("Longer than maximum length ${max}"),
    _('"${val}" is not one of ${choices}'),
    _("Invalid date"),
    _("Incomplete date"),
    _("Incomplete time"),
    _("String does not match expected pattern"),
    _('"${val}" is neither in (${false_choices}) nor in (${true_choices})'),
)



# rendering ------------------------------------------------------------------------------------

def translate(term):
    """deform's translator: the portal's catalog first, then the term's own domain."""
    if not isinstance(term, TranslationString):
        term = TranslationString(term)
    request = get_current_request()
    if request is None:
        return term.interpolate()
    localizer = request.localizer
    if term.domain != "portal":
        mine = TranslationString(str(term), domain="portal", mapping=term.mapping,
                                 default=term.default)
        translated = localizer.translate(mine)
        if translated != mine.interpolate():
            return translated
    return localizer.translate(term)


def make_renderer(override_dir):
    """deform's renderer: the portal's templates first, then deform's own widget templates."""
    return ZPTRendererFactory([str(override_dir), default_dir], translator=translate)


def settings_bytes(request, name, default):
    """A size limit from the settings, in bytes."""
    try:
        return int(request.registry.settings.get(name, default))
    except (TypeError, ValueError):
        return default


def zone_of(request):
    return ZoneInfo(request.registry.settings["portal.timezone"])


def tags_validator(node, value):
    tags = split_tags(value)
    if len(tags) > MAX_TAGS or any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        raise colander.Invalid(node, _(
            "Give at most ${count} tags of at most ${length} characters each.",
            mapping={"count": MAX_TAGS, "length": MAX_TAG_LENGTH}))


def split_tags(value):
    return tuple(dict.fromkeys(tag.strip() for tag in (value or "").split(",") if tag.strip()))


class DateTimeWidget(deform.widget.DateTimeInputWidget):
    """deform's date and time inputs; a date without a time means its midnight.

    ``prefix`` goes before the inputs' names (``date``, ``time``) so that a form can hold two
    of them with distinct names."""

    prefix = ""

    def deserialize(self, field, pstruct):
        if isinstance(pstruct, dict) and self.prefix:
            pstruct = {"date": pstruct.get(self.prefix + "date", ""),
                       "time": pstruct.get(self.prefix + "time", "")}
        if isinstance(pstruct, dict) and (pstruct.get("date") or "").strip() \
                and not (pstruct.get("time") or "").strip():
            pstruct = dict(pstruct, time="00:00")
        return super().deserialize(field, pstruct)


def expiry_after_publication(node, appstruct):
    """Schema validator: an expiry date must come after the publication date given."""
    effective, expires = appstruct.get("effective"), appstruct.get("expires")
    if effective and expires and expires <= effective:
        error = colander.Invalid(node)
        error["expires"] = _("The expiry date must come after the publication date.")
        raise error


# schemas --------------------------------------------------------------------------------------

def build_schema(request, factory, obj=None):
    """The form's schema for the type ``factory`` (editing ``obj`` when given).

    Returns ``(schema, stores)``: ``stores`` maps each upload field to its ``UploadStore``.
    """
    schema = colander.Schema()
    stores = {}
    adding = obj is None
    for base in factory.schema().children:
        node = base.clone()
        name = node.name
        if name == "description":
            node.widget = deform.widget.TextAreaWidget(rows=3)
        elif name == "effective":
            node.typ = colander.DateTime(default_tzinfo=zone_of(request))
            node.widget = DateTimeWidget()
            node.description = (_("Leave it empty to publish now.") if adding
                                else _("Leave it empty to keep the current date."))
        elif name == "expires":
            node.typ = colander.DateTime(default_tzinfo=zone_of(request))
            node.widget = DateTimeWidget(prefix="expires-")
            node.description = _("From then on only editors see it. Leave it empty to "
                                 "keep it online.")
        elif name == "body":
            node.widget = deform.widget.TextAreaWidget(rows=18)
            node.widget.attributes = {"data-richtext": "true"}
        elif name == "tags":
            node = colander.SchemaNode(colander.String(), name="tags", title=node.title,
                                       missing="", validator=tags_validator,
                                       description=_("Separate the tags with commas."))
        elif name == "order":
            node.widget = deform.widget.SelectWidget(values=(
                ("manual", _("In the order arranged by hand")),
                ("date", _("Newest first"))))
        elif isinstance(node.typ, colander.Boolean):
            node.widget = deform.widget.CheckboxWidget()
        elif name == "url":
            node.widget = deform.widget.TextInputWidget(attributes={"inputmode": "url"})
        schema.add(node)
    if hasattr(factory, "image"):
        limit = settings_bytes(request, "portal.max_image_bytes", DEFAULT_MAX_IMAGE)
        store = stores["image"] = UploadStore(upload_dir(request),
                                              request.authenticated_userid, limit)
        current = getattr(obj, "image", None)
        required = getattr(factory, "image_required", False) and current is None
        schema.add(colander.SchemaNode(
            deform.FileData(), name="image", title=_("Image"),
            missing=colander.required if required else None,
            widget=deform.widget.FileUploadWidget(store, accept=IMAGE_ACCEPT),
            validator=image_validator(limit),
            description=_upload_help(request, current, limit, image=True)))
        if hasattr(factory, "image_caption"):
            schema.add(colander.SchemaNode(
                colander.String(), name="image_caption", title=_("Caption of the image"),
                missing="", validator=colander.Length(max=500),
                description=_("Says what the picture shows; also read to blind visitors.")))
            if current is not None:
                schema.add(colander.SchemaNode(
                    colander.Boolean(), name="remove_image", title=_("Remove the image"),
                    missing=False, widget=deform.widget.CheckboxWidget()))
    if hasattr(factory, "file"):
        limit = settings_bytes(request, "portal.max_file_bytes", DEFAULT_MAX_FILE)
        store = stores["file"] = UploadStore(upload_dir(request),
                                             request.authenticated_userid, limit)
        current = getattr(obj, "file", None)
        schema.add(colander.SchemaNode(
            deform.FileData(), name="file", title=_("File"),
            missing=colander.required if current is None else None,
            widget=deform.widget.FileUploadWidget(store, accept=FILE_ACCEPT),
            validator=file_validator(limit),
            description=_upload_help(request, current, limit, image=False)))
    for node in schema.children:
        node.oid = f"field-{node.name}"
    if "expires" in schema and "effective" in schema:
        schema.validator = expiry_after_publication
    return schema, stores


def add_note_field(schema):
    """The optional "Revision note" at the end of the edit form: kept with the revision
    (``portal.revisions``), never stored as a field of the item."""
    node = colander.SchemaNode(
        colander.String(), name=NOTE_FIELD, title=_("Revision note"), missing="",
        validator=colander.Length(max=500), widget=deform.widget.TextInputWidget(),
        description=_("Optional: what you changed and why. Shown in the item's history."))
    node.oid = f"field-{NOTE_FIELD}"
    schema.add(node)
    return schema


def add_revision_field(schema):
    """The hidden revision the edit form was filled from: a save finding a newer one was made
    against someone else's save (``views.manage.edit``)."""
    schema.add(colander.SchemaNode(colander.String(), name=REVISION_FIELD, missing="",
                                   widget=deform.widget.HiddenWidget()))
    return schema


def _upload_help(request, current, limit, image):
    size = megabytes(limit)
    if current is not None:
        return _("Now: ${name}. Choose another file only to replace it (at most ${size} MB).",
                 mapping={"name": current.filename, "size": size})
    if image:
        return _("JPEG, PNG, GIF or WebP, at most ${size} MB.", mapping={"size": size})
    return _("PDF, Word, Excel, PowerPoint or OpenDocument, at most ${size} MB.",
             mapping={"size": size})


def field_labels(request):
    """{field name: (title, kind)} over the add and edit forms of every content type, for
    showing posted values again without knowing which form sent them (``views.unavailable``).

    ``kind`` is ``checkbox``, ``textarea``, ``file`` (an upload's mapping) or ``text``.
    """
    labels = {"image": (_("Image"), "file"), "file": (_("File"), "file"),
              "image_caption": (_("Caption of the image"), "text"),
              "remove_image": (_("Remove the image"), "checkbox"),
              NOTE_FIELD: (_("Revision note"), "text"),
              "date": (_("Date"), "text"), "time": (_("Time"), "text"),
              "expires-date": (_("Date"), "text"), "expires-time": (_("Time"), "text")}
    for info in request.registry.content_types.values():
        factory = info.factory
        if getattr(factory, "schema", None) is None:
            continue
        for node in factory.schema().children:
            if isinstance(node.typ, colander.Boolean):
                kind = "checkbox"
            elif node.name in ("description", "body"):
                kind = "textarea"
            else:
                kind = "text"
            labels.setdefault(node.name, (node.title, kind))
    return labels


def make_form(request, schema, action, button_title):
    return deform.Form(schema, action=action, formid="manage-form", focus="off",
                       renderer=request.registry.portal_form_renderer,
                       buttons=(deform.Button("save", button_title),))


def annotate(form):
    """Tie each field's help and error to its control (aria-describedby, aria-invalid)."""
    for field in form.children:
        ids = []
        if field.description:
            ids.append(f"help-{field.oid}")
        if field.error is not None:
            ids.append(f"error-{field.oid}")
        attributes = dict(getattr(field.widget, "attributes", None) or {})
        attributes.pop("aria-describedby", None)
        attributes.pop("aria-invalid", None)
        if ids:
            attributes["aria-describedby"] = " ".join(ids)
        if field.error is not None:
            attributes["aria-invalid"] = "true"
        field.widget.attributes = attributes


def forget_bad_uploads(failure, stores):
    """After a failed validation: drop uploads that were themselves refused, so the form asks
    for another file instead of keeping the bad one."""
    for name, store in stores.items():
        if name not in failure.field:
            continue
        field = failure.field[name]
        if field.error is None:
            continue
        value = field.cstruct
        if isinstance(value, dict) and value.get("uid"):
            store.discard(value["uid"])
        field.cstruct = colander.null
        if isinstance(failure.cstruct, dict):
            failure.cstruct[name] = colander.null


# values ---------------------------------------------------------------------------------------

def object_values(request, obj, schema):
    """The form's values from ``obj``'s fields (only the fields of ``schema``)."""
    zone = zone_of(request)
    values = {}
    for node in schema.children:
        name = node.name
        if name in ("image", "file", "remove_image", NOTE_FIELD, REVISION_FIELD):
            continue
        value = getattr(obj, name, None)
        if name in ("effective", "expires"):
            value = value.astimezone(zone) if value is not None else colander.null
        elif name == "tags":
            value = ", ".join(value or ())
        elif isinstance(node.typ, colander.Boolean):
            value = bool(value)
        elif value is None:
            value = colander.null
        values[name] = value
    return values


def apply_values(request, obj, appstruct, stores):
    """Store the validated ``appstruct`` on ``obj`` (not its dates: see ``stamp``)."""
    for name, value in appstruct.items():
        if name in ("effective", "image", "file", "remove_image", NOTE_FIELD, REVISION_FIELD):
            continue
        if name == "body":
            value = clean_html(value or "")
        elif name == "tags":
            value = split_tags(value)
        elif name == "expires":
            # Stored in UTC: ZODB cannot pickle zoneinfo time zones.
            value = value.astimezone(UTC) if value else None
        elif name == "order":
            if obj.is_container:
                obj.set_order(value)
            continue
        elif name in ("title", "description", "url", "author", "source", "image_caption") \
                and isinstance(value, str):
            value = value.strip()
        setattr(obj, name, value)
    image = appstruct.get("image")
    if image:
        obj.image = ImageData(image["data"], clean_filename(image.get("filename")))
        stores["image"].discard(image.get("uid"))
    elif appstruct.get("remove_image"):
        obj.image = None
    upload = appstruct.get("file")
    if upload:
        filename = clean_filename(upload.get("filename"))
        obj.file = FileData(upload["data"], filename, document_type(upload["data"], filename))
        stores["file"].discard(upload.get("uid"))
