"""Payment provider webhooks and the customer portal of a subscription service."""
import hashlib
import time

import redis
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse

from .models import Customer, Invoice, PaymentEvent

r = redis.Redis(host="redis-payments", decode_responses=True)

EVENT_WINDOW = 3 * 24 * 3600


def stripe_webhook(request, event):
    if cache.get(f"stripe:event:{event['id']}"):
        return HttpResponse(status=200)
    cache.set(f"stripe:event:{event['id']}", True, EVENT_WINDOW)  # expect: CL014
    PaymentEvent.objects.create(provider="stripe", external_id=event["id"], payload=event)
    return HttpResponse(status=201)


def paddle_webhook(request, event):
    if not cache.add(f"paddle:event:{event['alert_id']}", 1, EVENT_WINDOW):
        return HttpResponse(status=200)
    PaymentEvent.objects.create(provider="paddle", external_id=event["alert_id"], payload=event)
    return HttpResponse(status=201)


def resend_invoice(request, invoice_id):
    last = r.get(f"invoice:resent:{invoice_id}")
    if last is not None and time.time() - float(last) < 300:
        return JsonResponse({"error": "wait a few minutes"}, status=429)
    r.set(f"invoice:resent:{invoice_id}", time.time(), ex=300)  # expect: CL014
    Invoice.objects.get(pk=invoice_id).send()
    return JsonResponse({"sent": True})


def charge_renewals(batch):
    if not r.set("lock:renewals", batch, nx=True, ex=900):
        return 0
    try:
        return Invoice.objects.charge_due(batch)
    finally:
        r.delete("lock:renewals")


def customer_summary(request, customer_id):
    summary = cache.get(f"customer:summary:{customer_id}")
    if summary is None:
        summary = Customer.objects.summary(customer_id)
        cache.set(f"customer:summary:{customer_id}", summary, 300)
    return JsonResponse(summary)


def card_fingerprint_seen(card_number):
    digest = hashlib.sha256(card_number.encode()).hexdigest()
    seen = r.get(f"card:seen:{digest}")
    if seen is not None:
        return seen
    seen = Customer.objects.first_seen_for_card(digest)
    r.set(f"card:seen:{digest}", seen, ex=86400)
    return seen
