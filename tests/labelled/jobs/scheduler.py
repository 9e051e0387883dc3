"""Background jobs of a newsletter platform (Flask + Flask-Caching + Celery)."""
import uuid

from celery import shared_task
from flask_caching import Cache

from .mailer import deliver, render_issue
from .models import Issue, Subscriber

cache = Cache()


@shared_task
def send_issue(issue_id):
    if cache.get(f"issue:sending:{issue_id}") is not None:
        return "already running"
    cache.set(f"issue:sending:{issue_id}", uuid.uuid4().hex, timeout=3600)  # expect: CL014
    for subscriber in Subscriber.query.filter_by(active=True):
        deliver(issue_id, subscriber)
    return "sent"


@shared_task
def send_welcome_mails(subscriber_ids):
    for subscriber_id in subscriber_ids:
        if cache.get(f"welcome:sent:{subscriber_id}"):
            continue
        cache.set(f"welcome:sent:{subscriber_id}", 1, timeout=30 * 86400)  # expect: CL014
        deliver("welcome", Subscriber.query.get(subscriber_id))


@shared_task
def warm_issue_pages():
    for issue in Issue.query.filter_by(published=True):
        if cache.has(f"issue:html:{issue.id}"):
            continue
        cache.set(f"issue:html:{issue.id}", render_issue(issue), timeout=3600)


def issue_html(issue_id):
    html = cache.get(f"issue:html:{issue_id}")
    if html is None:
        html = render_issue(Issue.query.get(issue_id))
        cache.set(f"issue:html:{issue_id}", html, timeout=3600)
    return html


@shared_task
def send_digest(week):
    if not cache.add(f"digest:sent:{week}", "yes", timeout=8 * 86400):
        return "already sent"
    for subscriber in Subscriber.query.filter_by(digest=True):
        deliver(f"digest-{week}", subscriber)
    return "sent"
