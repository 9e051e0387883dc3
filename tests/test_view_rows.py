"""CL010 judges a write against the rows and columns a cached view holds (cachelint.project.rows):
a view of one kind of row of a shared table, of a few columns, or of rows with a column
set, is stale only by writes that may change those; a write that runs the functions of
a registry may run the invalidation."""
from __future__ import annotations

import textwrap
from pathlib import Path

from cachelint.config import Settings
from cachelint.engine import lint_paths

MEMO = '''
from flask_caching import Cache

from app.models import Entity, Link, PreviewFile

cache = Cache()


@cache.memoize(120)
def episode_by_name(project_id, name):
    episode_type_id = entity_types.get_episode_type()["id"]
    episode = Entity.query.filter(Entity.entity_type_id == episode_type_id).filter(Entity.name == name).first()
    return episode.serialize()


@cache.memoize(120)
def entities_of_type(type_id):
    return [e.serialize() for e in Entity.query.filter(Entity.entity_type_id == type_id).all()]


@cache.memoize(240)
def preview_for_access(preview_id):
    row = PreviewFile.query.with_entities(PreviewFile.id, PreviewFile.status).filter_by(id=preview_id).first()
    return {"id": row.id, "status": row.status}


@cache.memoize(120)
def team_roles(project_id):
    return {link.person_id: link.role for link in Link.query.filter_by(project_id=project_id).filter(Link.role.isnot(None))}
'''


def _findings(root: Path, writes: str) -> list[tuple[int, str]]:
    files = {"app/__init__.py": "", "app/models.py": "", "app/reads.py": MEMO, "app/writes.py": writes}
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text))
    run = lint_paths([root], Settings(root=root, select=("CL010",)))
    assert not run.internal_errors, run.internal_errors
    return sorted((d.location.row, d.message.split(" here ", 1)[1]) for d in run.diagnostics
                  if d.filename.endswith("writes.py"))


def test_a_view_of_one_kind_of_row_is_stale_by_writes_of_that_kind_only(tmp_path):
    """`episode_by_name` reads the episodes of the shared `Entity` table: saving an episode
    stales it, saving a shot (or an entity of no named kind) does not. `entities_of_type`
    takes the kind as a parameter, so it has an entry for every kind: any save stales it."""
    found = _findings(tmp_path, '''
        from app.models import Entity


        def rename_episode(episode_id, name):
            episode = Entity.query.get(episode_id)
            episode.name = name
            episode.save()


        def rename_shot(shot_id, name):
            shot = Entity.query.get(shot_id)
            shot.name = name
            shot.save()


        def create_shot(data, shot_type_id):
            Entity.query.filter_by(entity_type_id=shot_type_id).update({"name": data})
    ''')
    assert found == [
        (8, "does not invalidate `episode_by_name(…)` (memoised in app/reads.py:9, TTL 120 s); "
            "`entities_of_type(…)` (memoised in app/reads.py:16, TTL 120 s)"),
        (14, "does not invalidate `entities_of_type(…)` (memoised in app/reads.py:16, TTL 120 s)"),
        (18, "does not invalidate `entities_of_type(…)` (memoised in app/reads.py:16, TTL 120 s)"),
    ]


def test_a_view_of_a_few_columns_is_stale_by_updates_of_one_of_them(tmp_path):
    """`preview_for_access` lists its columns: an update of `revision` leaves it right, one
    of `status` (or of a column it filters on, or one the analysis cannot name) does not."""
    found = _findings(tmp_path, '''
        from app.models import PreviewFile


        def renumber(task_id, revision):
            PreviewFile.query.filter_by(task_id=task_id).update({"revision": revision})


        def publish(preview_id):
            PreviewFile.query.filter_by(id=preview_id).update({PreviewFile.status: "published"})


        def move(preview_id, new_id):
            PreviewFile.query.filter_by(id=preview_id).update({"id": new_id})


        def edit(preview_id, data):
            PreviewFile.query.filter_by(id=preview_id).update(data)
    ''')
    assert [row for row, _ in found] == [10, 14, 18]


def test_a_view_of_rows_with_a_column_set_is_stale_by_inserts_that_set_it(tmp_path):
    """`team_roles` holds only links with a role: a link added without one is not in it."""
    found = _findings(tmp_path, '''
        from app.models import Link


        def join(session, project_id, person_id):
            link = Link(project_id=project_id, person_id=person_id)
            session.add(link)


        def join_as(session, project_id, person_id, role):
            session.add(Link(project_id=project_id, person_id=person_id, role=role))


        def join_with(session, data):
            session.add(Link(**data))
    ''')
    assert [row for row, _ in found] == [11, 15]


def test_a_write_that_runs_a_registrys_functions_may_run_the_invalidation(tmp_path):
    """`for hook in save_hooks: hook(event)` runs whatever was registered, an invalidation
    of the view as likely as not: silent. A call of a plain function it knows is judged."""
    found = _findings(tmp_path, '''
        from app.models import PreviewFile

        save_hooks = []


        def publish(preview_id):
            PreviewFile.query.filter_by(id=preview_id).update({"status": "published"})
            for hook in save_hooks:
                hook(preview_id)


        def retire(preview_id):
            PreviewFile.query.filter_by(id=preview_id).update({"status": "retired"})
            print(preview_id)
    ''')
    assert [row for row, _ in found] == [14]
