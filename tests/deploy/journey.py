#!/usr/bin/python3
"""The HTTP journeys of tests/deploy.sh against the Docker stacks of deploy/compose.yaml (standard library only).

  journey.py smoke  --site PORT --mail-from SERVICE[,SERVICE]
  journey.py relay  --site PORT                       (site on Email:Transport=Smtp, profile « smtp » up)
  journey.py scale  --site PORT --site-b PORT --proxy PORT --mail-from site,site-b --curator-link URL

Every request goes to 127.0.0.1 with X-Forwarded-Proto: https, as the TLS terminator in front of the stack sends it
(the site trusts the stack network's gateway and nginx, deploy/compose.yaml): the site runs with its Production
settings, HTTPS required and cookies Secure. Prints each check; exits 1 at the first failure.
"""
import argparse
import base64
import email
import email.policy
import hashlib
import hmac
import html
import html.parser
import http.client
import io
import json
import os
import re
import shlex
import struct
import subprocess
import sys
import tarfile
import time
import urllib.parse

PASSWORD = "une phrase de passe assez longue"
COMPOSE = shlex.split(os.environ.get("DEPLOY_COMPOSE", "docker-compose"))


def check(condition, what, detail=""):
    if not condition:
        print(f"  ÉCHEC / FAILED: {what}" + (f"\n    {detail}" if detail else ""), flush=True)
        sys.exit(1)
    print(f"  ok: {what}", flush=True)


class Form(html.parser.HTMLParser):
    """The forms of a page with their fields as a browser would post them, and a few texts the journeys read."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._textarea, self._select = [], None, None, None
        self.ids, self._id_stack = {}, []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self._id_stack.append((tag, a["id"]))
            self.ids.setdefault(a["id"], "")
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                self._form["fields"].append((a["name"], a.get("value", "on"), "checked" in a, kind))
            elif kind not in ("submit", "button"):
                self._form["fields"].append((a["name"], a.get("value", ""), True, kind))
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self._form["fields"].append((self._select, a.get("value", ""), True, "select"))

    def handle_endtag(self, tag):
        if self._id_stack and self._id_stack[-1][0] == tag:
            self._id_stack.pop()
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form["fields"].append((self._textarea[0], self._textarea[1], True, "textarea"))
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data
        for _, element_id in self._id_stack:
            self.ids[element_id] += data

    def find(self, css_class=None, action_suffix=None):
        for form in self.forms:
            classes = form["attrs"].get("class", "").split()
            if (css_class is None or css_class in classes) and (action_suffix is None or form["attrs"].get("action", "").endswith(action_suffix)):
                return form
        return None


class Browser:
    """One person's browser: cookies kept as plain values, so that the same browser can be sent to another instance."""

    def __init__(self, port, cookies=None):
        self.port = port
        self.cookies = cookies if cookies is not None else {}

    def on(self, port):
        return Browser(port, self.cookies)

    def request(self, method, path, fields=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {"Host": "localhost", "X-Forwarded-Proto": "https", "Accept-Language": "fr-CA"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        page = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0].split("=", 1)
                if len(pair) == 2 and pair[1] and "1970" not in value:
                    self.cookies[pair[0]] = pair[1]
                else:
                    self.cookies.pop(pair[0], None)
        connection.close()
        return response, page

    def get(self, path):
        return self.request("GET", path)

    def submit(self, page, css_class="stacked-form", action_suffix=None, values=None, token=True, to=None):
        form = Form(page).find(css_class, action_suffix)
        if form is None:
            raise SystemExit(f"  ÉCHEC / FAILED: no form .{css_class} {action_suffix or ''} on the page")
        values = dict(values or {})
        fields = []
        for name, value, on, kind in form["fields"]:
            if name in values or (not token and name == "__RequestVerificationToken") or not on:
                continue
            fields.append((name, value))
        fields.extend(values.items())
        action = form["attrs"].get("action") or "/"
        return (to or self).request("POST", html.unescape(action), fields)


def location(response):
    target = response.getheader("Location") or ""
    parsed = urllib.parse.urlsplit(target)
    return parsed.path + (f"?{parsed.query}" if parsed.query else "")


def totp(key, at=None):
    secret = base64.b32decode(key.replace(" ", "").upper() + "=" * (-len(key.replace(" ", "")) % 8))
    digest = hmac.new(secret, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def mails(services):
    """Every .eml the instances wrote in their data volume's mail/ folder (Email:Transport=Files), parsed."""
    found = []
    for service in services:
        result = subprocess.run(COMPOSE + ["exec", "-T", service, "tar", "-C", "/var/lib/marketplace", "-c", "mail"],
                                capture_output=True)
        if result.returncode != 0:
            continue
        with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
            for member in archive.getmembers():
                if member.isfile() and member.name.endswith(".eml") and "/.partial/" not in member.name:
                    found.append((service, email.message_from_bytes(archive.extractfile(member).read(), policy=email.policy.default)))
    return found


def text_of(message):
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def wait_for_mail(services, recipient, limit=60):
    start = time.time()
    while time.time() - start < limit:
        for service, message in mails(services):
            if recipient in str(message["To"]):
                return service, message
        time.sleep(1)
    return None, None


def submit_sign_up(browser, email_address, organization, kind):
    _, form = browser.get("/fr/inscription")
    created, page = browser.submit(form, values={
        "Kind": kind, "OrganizationName": organization, "DisplayName": "Camille", "Email": email_address,
        "Password": PASSWORD, "Confirmation": PASSWORD, "AcceptTerms": "true"})
    check(created.status == 302 and location(created).startswith("/fr/connexion"), f"sign-up of {email_address} ({kind})",
          f"{created.status} {location(created)} {page[:300]}")


def sign_up(browser, email_address, organization, kind, services, confirm_on=None):
    submit_sign_up(browser, email_address, organization, kind)
    service, message = wait_for_mail(services, email_address)
    check(message is not None, f"the confirmation email to {email_address} is written to the mail folder"
          + (f" of {service}" if service else ""))
    link = re.search(r"https?://\S+/fr/compte/confirmer\S+", text_of(message))
    check(link is not None, "the email holds the confirmation link")
    parsed = urllib.parse.urlsplit(link.group(0))
    confirmed, _ = (confirm_on or browser).get(f"{parsed.path}?{parsed.query}")
    check(confirmed.status == 200, "the confirmation link works" + (" on the other instance" if confirm_on else ""), str(confirmed.status))


def sign_in(browser, email_address):
    _, login = browser.get("/fr/connexion")
    signed_in, page = browser.submit(login, values={"Email": email_address, "Password": PASSWORD})
    check(signed_in.status == 302, f"sign-in of {email_address}", f"{signed_in.status} {page[:300]}")
    return signed_in


def api_names(browser, query):
    response, body = browser.get("/api/v1/providers?" + urllib.parse.urlencode({"q": query, "pageSize": 100}))
    if response.status != 200:
        return []
    return [item.get("name") for item in json.loads(body)["items"]]


def smoke(args):
    site = Browser(args.site)
    response, body = site.get("/healthz")
    check(response.status == 200 and body.strip() == "Healthy", "/healthz answers Healthy")
    response, page = site.get("/fr/recherche?q=puce")
    check(response.status == 200 and "La Puce" in page, "a search finds the seed provider « La Puce »")
    check("La Puce" in api_names(site, "La Puce"), "the API finds it too")
    response, _ = Browser(args.site).request("GET", "/fr", headers={"X-Forwarded-Proto": "http"})
    check(response.status == 308 and (response.getheader("Location") or "").startswith("https://"),
          "plain HTTP is sent to HTTPS (Production settings)")
    suffix = str(int(time.time()))
    sign_up(Browser(args.site), f"smoke-{suffix}@exemple.invalid", f"Organisme fumée {suffix}", "Nonprofit", args.mail_from.split(","))


def relay(args):
    """Email:Transport=Smtp with the profile « smtp »: the confirmation email reaches the Postfix relay."""
    suffix = str(int(time.time()))
    address = f"relais-{suffix}@exemple.invalid"
    submit_sign_up(Browser(args.site), address, f"Organisme relais {suffix}", "Nonprofit")
    # A message the relay accepted has a queue id on its log lines (a refused one is « NOQUEUE: reject »).
    queued = re.compile(r": [0-9A-F]{6,}: to=<" + re.escape(address) + ">")
    start, log = time.time(), ""
    while time.time() - start < 60:
        log = subprocess.run(COMPOSE + ["logs", "--no-color", "smtp"], capture_output=True, text=True).stdout
        if queued.search(log):
            break
        time.sleep(1)
    check(queued.search(log) is not None and "NOQUEUE" not in log,
          "the confirmation email was handed to the SMTP relay (Postfix queued it for delivery)", "\n".join(log.splitlines()[-10:]))


def scale(args):
    services = args.mail_from.split(",")
    suffix = str(int(time.time()))
    a, b, proxy = args.site, args.site_b, args.proxy

    # A curator made with `users add` (printed link), then two-factor set-up, all on A.
    curator = Browser(a)
    link = urllib.parse.urlsplit(args.curator_link)
    _, form = curator.get(f"{link.path}?{link.query}")
    done, page = curator.submit(form, values={"Password": PASSWORD, "Confirmation": PASSWORD})
    check(done.status in (200, 302), "the curator chooses a password through the link printed by `users add`", f"{done.status} {page[:300]}")
    curator_email = args.curator_email
    sign_in(curator, curator_email)
    first, _ = curator.get("/fr/conservation")
    check(first.status == 302 and location(first).startswith("/fr/compte/double-authentification"), "curation asks for two-factor set-up")
    _, setup = curator.get("/fr/compte/double-authentification")
    key = Form(setup).ids.get("shared-key", "").strip()
    check(len(key) >= 16, "the authenticator key is shown")
    enabled, page = curator.submit(setup, values={"code": totp(key)})
    check(enabled.status == 200 and "recovery-codes" in page, "two-factor authentication is on", f"{enabled.status}")

    # The sign-in made on A is valid on B.
    queue_b, _ = curator.on(b).get("/fr/conservation")
    check(queue_b.status == 200, "a sign-in on instance A is valid on instance B (curation queue served by B)",
          f"{queue_b.status} {location(queue_b)}")

    # A form from A, posted to B with A's antiforgery cookie and token.
    _, profile_a = curator.get("/fr/compte/profil")
    refused, _ = curator.submit(profile_a, values={"DisplayName": "Équipe B"}, token=False, to=curator.on(b))
    check(refused.status == 400, "B refuses the form without its antiforgery token", str(refused.status))
    saved, _ = curator.submit(profile_a, values={"DisplayName": "Équipe de vérification B"}, to=curator.on(b))
    check(saved.status == 302, "an antiforgery token from A is accepted by B", str(saved.status))
    _, profile_b = curator.on(b).get("/fr/compte/profil")
    check("Équipe de vérification B" in html.unescape(profile_b), "B saved the change")

    # A provider signs up on A (the confirmation link is opened on B), submits a listing; the curator approves it on A.
    owner = Browser(a)
    owner_email = f"fournisseur-{suffix}@exemple.invalid"
    word = f"zorglub{suffix[-6:]}"
    name = f"Coop Déploiement {suffix[-6:]}"
    sign_up(owner, owner_email, name, "Provider", services, confirm_on=owner.on(b))
    sign_in(owner, owner_email)
    _, dashboard = owner.get("/fr/compte/fiche")
    editor_link = re.search(r'<a[^>]*class="button"[^>]*href="([^"]+)"|<a[^>]*href="([^"]+)"[^>]*class="button"', dashboard)
    if editor_link:
        editor_path = html.unescape(editor_link.group(1) or editor_link.group(2))
    else:
        opened, _ = owner.submit(dashboard, css_class="inline-form", action_suffix="/ouvrir")
        editor_path = location(opened)
    _, editor = owner.get(editor_path)
    submitted, page = owner.submit(editor, values={
        "Name": name, "LegalForm": "cooperative", "SocialEconomy": "true", "HeadOfficeRegion": "16",
        "DescriptionFr": f"Coopérative de soutien {word} pour les organismes communautaires.",
        "Offerings[0].CategoryKey": "soutien-ti", "Offerings[0].DescriptionFr": "Soutien technique à distance.",
        "Offerings[0].Pricing": "tarif-reduit-obnl", "Offerings[0].Delivery": "a-distance",
        "Offerings[0].Regions": "16", "Offerings[0].Languages": "fr", "submit": "1"})
    check(submitted.status == 302 and location(submitted).startswith("/fr/compte/fiche"), "the provider submits a listing on A",
          f"{submitted.status} {page[:400]}")
    check(name not in api_names(Browser(b), word), "B does not show it before approval")
    _, queue = curator.get("/fr/conservation")
    row = next((r for r in re.findall(r"<tr\b.*?</tr>", queue, re.S) if html.escape(name) in r or name in html.unescape(r)), None)
    check(row is not None, "the listing waits in the curation queue")
    review_path = html.unescape(re.search(r'href="([^"]+)"', row).group(1))
    _, review = curator.get(review_path)
    approved, page = curator.submit(review, values={"Decision": "Approve"})
    check(approved.status == 302, "the curator approves it through A", f"{approved.status} {page[:300]}")
    start = time.time()
    seen = None
    while time.time() - start < 10:
        if name in api_names(Browser(b), word):
            seen = time.time() - start
            break
        time.sleep(0.05)
    check(seen is not None and seen <= 2.0, f"B's search finds it within 2 s (after {seen if seen is None else round(seen, 2)} s)")

    # nginx in front of both: the same search through it, served by both instances in turn.
    upstreams = set()
    for _ in range(6):
        response, page = Browser(proxy).get("/fr/recherche?" + urllib.parse.urlencode({"q": word}))
        if response.status != 200 or name not in html.unescape(page):
            check(False, "the search through nginx finds the listing", str(response.status))
        upstreams.add(response.getheader("X-Upstream"))
    check(len(upstreams) == 2, f"nginx sends requests to both instances ({', '.join(sorted(u or '?' for u in upstreams))})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("journey", choices=["smoke", "relay", "scale"])
    parser.add_argument("--site", type=int, required=True)
    parser.add_argument("--site-b", type=int)
    parser.add_argument("--proxy", type=int)
    parser.add_argument("--mail-from", default="site")
    parser.add_argument("--curator-link")
    parser.add_argument("--curator-email")
    args = parser.parse_args()
    {"smoke": smoke, "relay": relay, "scale": scale}[args.journey](args)


if __name__ == "__main__":
    main()
