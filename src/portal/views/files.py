"""Streaming files and image scales out of blobs, with HTTP Range and conditional requests.

Only an item anonymous visitors may view now has its file declared ``public`` with a max-age
for shared caches; the file of a draft or of an internal item gets no max-age, and the
caching tween (``security/headers.py``) marks it ``private, no-store``.
"""
from urllib.parse import quote

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileResponse
from pyramid.view import view_config

from ..content.base import Content
from ..content.types import File
from ..security.policy import anonymous_may_view

CACHE_SECONDS = 3600


def blob_response(request, data, filename=None, inline=True):
    """A response streaming ``data`` (FileData of the context) from its committed blob file."""
    path = data.blob.committed()
    public = anonymous_may_view(request.context, request.root,
                                request.registry.portal_clock.now())
    response = FileResponse(path, request=request, content_type=data.content_type,
                            cache_max_age=CACHE_SECONDS if public else None)
    if public:
        response.cache_control.public = True
    if filename:
        disposition = "inline" if inline else "attachment"
        response.content_disposition = (
            f"{disposition}; filename*=UTF-8''{quote(filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@view_config(context=File, name="download", permission="view")
def download(context, request):
    """The file itself."""
    if context.file is None:
        raise HTTPNotFound()
    return blob_response(request, context.file, context.file.filename, inline=True)


@view_config(context=Content, name="image", permission="view")
def image(context, request):
    """An item's image at a scale: ``@@image/<thumb|small|medium|large|original>``."""
    data = getattr(context, "image", None)
    if data is None:
        raise HTTPNotFound()
    scale = request.subpath[0] if request.subpath else "medium"
    if scale != "original" and scale not in ("thumb", "small", "medium", "large"):
        raise HTTPNotFound()
    return blob_response(request, data if scale == "original" else data.scale(scale))
