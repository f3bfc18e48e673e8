"""Applying the YAML setup profiles of ``profiles/`` to the site, idempotently.

See docs/profiles.md for the format. Each created node is recorded in ``site.profile_log`` as
``profile:path``; a recorded node is never created again, so a re-run neither doubles anything
nor undoes an editor's renaming, editing or deleting.
"""
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from .content.blobs import FileData, ImageData
from .content.events import LocalRolesModified
from .content.ids import slugify
from .sanitize import clean_html

AGE = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*$")


class ProfileError(Exception):
    """A profile that cannot be applied, with a message naming the file and the node."""


def load(profiles_dir, name):
    """Read profile ``name``: its profile.yaml with the nodes of its includes appended."""
    folder = Path(profiles_dir) / name
    main = folder / "profile.yaml"
    if not main.is_file():
        raise ProfileError(f"no profile called {name!r} in {profiles_dir}")
    data = _read(main) or {}
    nodes = list(data.get("content") or [])
    for include in data.get("include") or []:
        extra = _read(folder / include) or []
        if not isinstance(extra, list):
            raise ProfileError(f"{folder / include}: expected a list of nodes")
        nodes.extend(extra)
    data["content"] = nodes
    if data.get("groups_file"):
        extra = _read(folder / data["groups_file"]) or []
        if not isinstance(extra, list):
            raise ProfileError(f"{folder / data['groups_file']}: expected a list of groups")
        data["groups"] = list(data.get("groups") or []) + extra
    data["name"] = name
    data["folder"] = folder
    return data


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: {exc}") from exc


def with_dependencies(profiles_dir, names):
    """The profiles ``names`` preceded by everything they depend on, each once."""
    ordered, seen = [], set()

    def visit(name, chain):
        if name in chain:
            raise ProfileError(f"profiles depend on each other in a circle: {chain + [name]}")
        if name in seen:
            return
        profile = load(profiles_dir, name)
        for dependency in profile.get("depends") or []:
            visit(dependency, chain + [name])
        seen.add(name)
        ordered.append(profile)

    for name in names:
        visit(name, [])
    return ordered


class Applier:
    """Applies loaded profiles to one site with one clock and one registry."""

    def __init__(self, site, registry, now, timezone="Asia/Ho_Chi_Minh", progress=None):
        self.site = site
        self.registry = registry
        self.now = now
        self.tz = ZoneInfo(timezone)
        self.progress = progress or (lambda message: None)
        self.created = 0

    def apply(self, profile):
        """Apply one profile; returns how many objects it created."""
        before = self.created
        for key, value in (profile.get("site") or {}).items():
            # An empty value means "not set": a later profile may fill it, an editor's never lost.
            if value not in ("", None) and not self.site.settings.get(key):
                self.site.settings[key] = value
        if "title" in (profile.get("site") or {}) and self.site.title in ("", "Portal"):
            self.site.title = profile["site"]["title"]
        if profile.get("workflow_policy"):
            # Set once: a Manager's later change from the browser is never undone.
            key = f"{profile['name']}:@workflow_policy"
            if key not in self.site.profile_log:
                self.site.workflow_policy = self._policy(profile["workflow_policy"],
                                                         profile["folder"])
                self.site.profile_log.add(key)
        for node in profile["content"]:
            self._node(profile, self.site, "", node)
        for group in profile.get("groups") or []:
            self._group(profile, group)
        self.progress(f"{profile['name']}: {self.created - before} objects created")
        return self.created - before

    def _node(self, profile, parent, parent_path, node):
        where = f"{profile['folder']}: node {node.get('title') or node.get('path')!r}"
        if not isinstance(node, dict):
            raise ProfileError(f"{profile['folder']}: a node must be a mapping, got {node!r}")
        if "path" in node:
            target = self._traverse(node["path"], where)
            if target is None:
                return
            if node.get("default_page"):
                key = f"{profile['name']}:{node['path']}@default_page"
                if key not in self.site.profile_log:
                    target.default_page = node["default_page"]
                    self.site.profile_log.add(key)
            path = node["path"].strip("/")
            for child in node.get("children") or []:
                self._node(profile, target, path, child)
            return
        if not node.get("title"):
            raise ProfileError(f"{where}: every node needs a title")
        name = node.get("id") or slugify(node["title"])
        path = f"{parent_path}/{name}".strip("/")
        key = f"{profile['name']}:{path}"
        if key in self.site.profile_log:
            obj = parent.get(name)
        elif name in parent:
            obj = parent[name]
            self.site.profile_log.add(key)
        else:
            obj = self._create(profile, node, where)
            parent.add(name, obj, registry=self.registry)
            obj.set_dates(self.now, self._effective(node, where))
            self._state(obj, node, where)
            self.site.profile_log.add(key)
            self.created += 1
        if obj is not None and obj.is_container:
            for child in node.get("children") or []:
                self._node(profile, obj, path, child)

    def _group(self, profile, spec):
        """Create a group (never changing an existing one) and make its local grants."""
        from .security.principals import GROUP_PREFIX, Group
        from .security.roles import ASSIGNABLE_ROLES
        from .security.sharing import change_local_roles

        where = f"{profile['folder']}: group {spec.get('name')!r}"
        if not spec.get("name") or not spec.get("title"):
            raise ProfileError(f"{where}: a group needs a name and a title")
        unknown = set(spec.get("roles") or ()).union(
            *[set(roles) for roles in (spec.get("grants") or {}).values()]) - set(ASSIGNABLE_ROLES)
        if unknown:
            raise ProfileError(f"{where}: unknown roles {sorted(unknown)}")
        key = f"{profile['name']}:group:{spec['name']}"
        groups = self.site.groups
        if key not in self.site.profile_log:
            if spec["name"] not in groups:
                groups.add(Group(spec["name"], spec["title"], spec.get("description", ""),
                                 roles=spec.get("roles") or ()))
                self.created += 1
            self.site.profile_log.add(key)
        for path, roles in (spec.get("grants") or {}).items():
            grant_key = f"{key}@{path}"
            if grant_key in self.site.profile_log:
                continue
            target = self._traverse(path, where) if path.strip("/") else self.site
            if target is None:
                continue
            principal = GROUP_PREFIX + spec["name"]
            current = set(target.__dict__.get("_local_roles", {}).get(principal, ()))
            change_local_roles(self.site, target, principal, current | set(roles))
            self.registry.notify(LocalRolesModified(target, target.__parent__, target.__name__))
            self.site.profile_log.add(grant_key)

    def _traverse(self, path, where):
        obj = self.site
        for name in path.strip("/").split("/"):
            if not obj.is_container or name not in obj:
                self.progress(f"{where}: {path} is missing, its children are skipped")
                return None
            obj = obj[name]
        return obj

    def _create(self, profile, node, where):
        type_name = node.get("type", "Folder")
        try:
            factory = self.registry.content_types[type_name].factory
        except KeyError:
            raise ProfileError(f"{where}: unknown type {type_name!r}") from None
        obj = factory(node["title"], node.get("description", ""))
        if obj.is_container:
            obj.in_menu = node.get("in_menu", True)
            obj.set_order(node.get("order", "manual"))
            if node.get("workflow_policy"):
                obj.workflow_policy = self._policy(node["workflow_policy"], where)
            if node.get("default_page"):
                obj.default_page = node["default_page"]
        for field in ("author", "source", "url"):
            if field in node:
                setattr(obj, field, str(node[field]))
        if type_name == "Link" and "in_menu" in node:
            obj.in_menu = bool(node["in_menu"])
        if "tags" in node:
            obj.tags = tuple(str(tag) for tag in node["tags"])
        if "featured" in node:
            obj.featured = bool(node["featured"])
        if "body" in node:
            obj.body = clean_html(node["body"])
        if "image" in node:
            obj.image = self._image(node["image"], where)
            obj.image_caption = node["image"].get("caption", "")
        if "file" in node:
            obj.file = self._file(profile, node, where)
        return obj

    def _policy(self, spec, where):
        """A placeful workflow policy {type or '*': workflow id}, checked."""
        workflows = getattr(self.registry, "portal_workflows", {})
        if not isinstance(spec, dict):
            raise ProfileError(f"{where}: workflow_policy must map types to workflows")
        for type_name, wf_id in spec.items():
            if type_name != "*" and type_name not in self.registry.content_types:
                raise ProfileError(f"{where}: workflow_policy: unknown type {type_name!r}")
            if not isinstance(wf_id, str) or wf_id not in workflows:
                raise ProfileError(f"{where}: workflow_policy: unknown workflow {wf_id!r}")
        return dict(spec)

    def _state(self, obj, node, where):
        """Put a new object in the node's ``state`` (default: its workflow's public one)."""
        from .publishing.policy import place
        try:
            place(self.registry, obj, node.get("state"))
        except KeyError as exc:
            raise ProfileError(f"{where}: {exc.args[0]}") from None

    def _image(self, spec, where):
        from .demo.images import draw, jpeg_bytes
        try:
            picture = draw(spec["motif"], int(spec.get("seed", 0)))
        except (KeyError, ValueError) as exc:
            raise ProfileError(f"{where}: bad image {spec!r}: {exc}") from exc
        return ImageData(jpeg_bytes(picture), f"{spec['motif']}-{spec.get('seed', 0)}.jpg")

    def _file(self, profile, node, where):
        spec = node["file"]
        if "pdf" in spec:
            from .pdfgen import text_pdf
            name = slugify(node["title"], 60) + ".pdf"
            return FileData(text_pdf(node["title"], spec["pdf"]), name, "application/pdf")
        if "path" in spec:
            source = Path(profile["folder"]) / spec["path"]
            try:
                data = source.read_bytes()
            except OSError as exc:
                raise ProfileError(f"{where}: {exc}") from exc
            kind = "application/pdf" if data.startswith(b"%PDF-") else "application/octet-stream"
            return FileData(data, source.name, kind)
        raise ProfileError(f"{where}: a file needs `pdf` or `path`")

    def _effective(self, node, where):
        if node.get("effective"):
            value = node["effective"]
            when = value if isinstance(value, datetime) else _parse_iso(value, where)
            # Stored in UTC: ZODB cannot pickle zoneinfo time zones, and UTC sorts the same.
            return (when if when.tzinfo else when.replace(tzinfo=self.tz)).astimezone(
                UTC)
        if node.get("age"):
            match = AGE.match(str(node["age"]))
            if not match or not any(match.groups()):
                raise ProfileError(f"{where}: age {node['age']!r} is not like 3d, 5h or 2d6h")
            days, hours, minutes = (int(g or 0) for g in match.groups())
            return self.now - timedelta(days=days, hours=hours, minutes=minutes)
        return None


def _parse_iso(value, where):
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise ProfileError(f"{where}: effective {value!r} is not an ISO date") from None


def apply_profiles(site, registry, profiles_dir, names, now, progress=None, timezone=None):
    """Apply ``names`` (with their dependencies) to ``site``; returns objects created."""
    applier = Applier(site, registry, now, timezone or "Asia/Ho_Chi_Minh", progress)
    return sum(applier.apply(profile) for profile in with_dependencies(profiles_dir, names))
