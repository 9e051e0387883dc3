"""Clients of the geocoding, weather and currency services a delivery app depends on."""
import aiohttp
import httpx
import requests
from django.core.cache import cache

GEOCODER = "https://geocoder.internal.example/v1"
WEATHER = "https://weather.internal.example"
FX = "https://fx.internal.example"
NO_ROUTE = "no-route"

session = requests.Session()


def geocode(address_hash, address):
    point = cache.get(f"geocode:{address_hash}")
    if point is None:
        resp = session.get(f"{GEOCODER}/search", params={"q": address}, timeout=5)
        point = resp.json()
        cache.set(f"geocode:{address_hash}", point, 7 * 86400)  # expect: CL016
    return point


def timezone_of(lat, lon):
    resp = requests.get(f"{GEOCODER}/timezone", params={"lat": lat, "lon": lon}, timeout=5)
    zone = resp.json().get("timezone")
    cache.set(f"tz:{lat:.2f}:{lon:.2f}", zone, 86400)  # expect: CL016
    return zone


def country_of(lat, lon):
    resp = requests.get(f"{GEOCODER}/reverse", params={"lat": lat, "lon": lon}, timeout=5)
    country = resp.json()["address"]["country_code"]
    cache.set(f"country:{lat:.2f}:{lon:.2f}", country, 86400)
    return country


def _weather(path):
    response = httpx.get(f"{WEATHER}{path}", timeout=5)
    response.raise_for_status()
    return response.json()


def forecast(city_id):
    data = _weather(f"/forecast/{city_id}")
    cache.set(f"forecast:{city_id}", data, 1800)
    return data


def alerts(city_id):
    with httpx.Client(base_url=WEATHER, timeout=5) as client:
        resp = client.get(f"/alerts/{city_id}")
        warnings = resp.json().get("alerts")
    cache.set(f"alerts:{city_id}", warnings, 900)  # expect: CL016
    return warnings


def exchange_rate(base, quote):
    try:
        resp = requests.get(f"{FX}/rate", params={"base": base, "quote": quote}, timeout=3)
        resp.raise_for_status()
        rate = resp.json()["rate"]
    except requests.RequestException:
        rate = None
    cache.set(f"fx:{base}:{quote}", rate, 3600)  # expect: CL016
    return rate


def route(origin, destination):
    try:
        resp = requests.get(f"{GEOCODER}/route", params={"from": origin, "to": destination}, timeout=5)
        resp.raise_for_status()
    except requests.HTTPError:
        cache.set(f"route:{origin}:{destination}", NO_ROUTE, 60)
        return None
    legs = resp.json()["legs"]
    cache.set(f"route:{origin}:{destination}", legs, 6 * 3600)
    return legs


def zone_config(zone, zones):
    try:
        config = zones[zone]
    except KeyError:
        config = {}
    cache.set(f"zone:{zone}", config, 600)
    return config


async def depot_hours(depot_id):
    async with aiohttp.ClientSession(raise_for_status=True) as http:
        async with http.get(f"{GEOCODER}/depots/{depot_id}/hours") as resp:
            hours = await resp.json()
    await cache.aset(f"depot-hours:{depot_id}", hours, 3600)
    return hours


async def depot_photo(depot_id):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{GEOCODER}/depots/{depot_id}/photo") as resp:
            photo = await resp.read()
    await cache.aset(f"depot-photo:{depot_id}", photo, 86400)  # expect: CL016
    return photo
