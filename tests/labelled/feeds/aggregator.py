"""A podcast directory that mirrors partner feeds and short links."""
import requests
from django.core.cache import cache

from .parsing import parse_feed, resolve_short_link

FEEDS = requests.Session()


def feed_entries(feed_url_hash, feed_url):
    entries = cache.get(f"feed:{feed_url_hash}")
    if entries is not None:
        return entries
    resp = FEEDS.get(feed_url, timeout=10)
    if resp.status_code != 200:
        return []
    entries = parse_feed(resp.text)
    cache.set(f"feed:{feed_url_hash}", entries, 900)
    return entries


def artwork(podcast_id, url):
    resp = FEEDS.get(url, timeout=10)
    if not resp.ok:
        return None
    cache.set(f"artwork:{podcast_id}", resp.content, 86400)
    return resp.content


def episode_count(podcast_id, url):
    resp = FEEDS.get(f"{url}/stats", timeout=10)
    stats = resp.json()
    if resp.status_code == 200:
        cache.set(f"episodes:{podcast_id}", stats, 3600)
    return stats


def transcript(episode_id, url):
    text = requests.get(url, timeout=20).text
    cache.set(f"transcript:{episode_id}", text, 7 * 86400)  # expect: CL016
    return text


def expand(code):
    target = cache.get("short:{}".format(code))
    if target is not None:
        return target
    target = resolve_short_link(code)
    cache.set("short:{}".format(target), target, 86400)  # expect: CL015
    return target
