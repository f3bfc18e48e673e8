"""Images start private; sections need the board to be deleted or renamed; the trash.

Sites made before gave images the ``one_state`` workflow: public the moment they were
uploaded, drafts' images included. The site's policy now gives them ``simple_publication``
(when it still said ``one_state``) and every image moves there, its state mapped by the
workflow's ``remap``: the images already public stay public, new ones start private.

Deleting, renaming or moving a section takes the ``sections`` permission (the board and
Managers), which folders made before lack in their stored permission maps; the board also
gains edit and delete in ``one_state`` (folders, links), which stored maps only show once
refreshed from their workflow's state. Deleted items go to ``site.trash``, made here.
"""
import workflow

from ..catalog import get_catalog
from ..catalog.indexing import walk
from ..content.base import object_at
from ..publishing.policy import complete_map, policy_of, workflow_id_for
from ..security.policy import permission_map
from ..trash import Trash

OLD, NEW = "one_state", "simple_publication"


def of_type(site, type_name):
    """The objects of ``type_name`` in ``site``, from the catalog's type index."""
    catalog, docmap = get_catalog(site)
    if catalog is None:
        return [obj for obj in walk(site) if obj.type_name == type_name]
    found = (object_at(site, docmap.address_for_docid(docid))
             for docid in catalog["type"].applyEq(type_name))
    return [obj for obj in found if obj is not None]


def folders(folder):
    """Every section below ``folder``: sections are few, their items are not loaded."""
    for name in folder.container_names():
        child = folder[name]
        yield child
        yield from folders(child)


def private_images(site, registry):
    """Give images the publication workflow where the site's policy gave them ``one_state``."""
    policy = policy_of(site)  # a site no profile was applied to has none
    if policy.get("Image") != OLD:
        return
    policy["Image"] = NEW
    site.workflow_policy = policy
    now = registry.portal_clock.now()
    for image in of_type(site, "Image"):
        wf_id = workflow_id_for(image)
        if getattr(image, "workflow_id", None) != wf_id:
            workflow.change_workflow(registry.portal_workflows[wf_id], image, "evolve", now,
                                     notify=registry.notify)
            complete_map(image)


def refresh_map(obj, site, registry):
    """Set ``obj``'s map from its workflow state's definition and the site's map."""
    own = dict(obj._permission_map or {})
    wf = registry.portal_workflows.get(getattr(obj, "workflow_id", None))
    if wf is not None and obj.workflow_state in wf.states:
        own.update(wf.states[obj.workflow_state].permissions)
    obj._permission_map = dict(permission_map(site), **own)


def evolve(site, registry):
    """Move images into the publication workflow, refresh the maps of sections and links,
    and make the trash."""
    private_images(site, registry)
    for obj in [*folders(site), *of_type(site, "Link")]:
        refresh_map(obj, site, registry)
    if getattr(site, "trash", None) is None:
        site.trash = Trash()
