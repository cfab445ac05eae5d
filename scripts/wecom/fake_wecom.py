"""Enterprise WeChat's published endpoints, on loopback, for the browser
journeys (WeCom has no edition to run locally; the integration tests have
their own stricter fake in server/tests/api/wecom.rs).

    python fake_wecom.py PORT CORP_ID SECRET AGENT_ID USERID

The OAuth page and the QR sign-in page hand the browser straight back with
a fresh code that names USERID (the member who "scanned"); gettoken checks
the corp id and secret; getuserinfo takes each code once; message/send
records what it was sent (GET /sent lists it).
"""
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

PORT, CORP, SECRET, AGENT, USER = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
TOKEN = "TOKEN-" + secrets.token_hex(8)
codes, sent = {}, []


class Handler(BaseHTTPRequestHandler):
    def answer(self, body, status=200):
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/cgi-bin/gettoken":
            if q.get("corpid") != CORP or q.get("corpsecret") != SECRET:
                return self.answer({"errcode": 40013, "errmsg": "invalid corpid or secret"})
            return self.answer({"errcode": 0, "errmsg": "ok", "access_token": TOKEN, "expires_in": 7200})
        if url.path == "/cgi-bin/auth/getuserinfo":
            if q.get("access_token") != TOKEN:
                return self.answer({"errcode": 40014, "errmsg": "invalid access_token"})
            user = codes.pop(q.get("code", ""), None)
            if user is None:
                return self.answer({"errcode": 40029, "errmsg": "invalid code"})
            return self.answer({"errcode": 0, "errmsg": "ok", "userid": user})
        if url.path in ("/connect/oauth2/authorize", "/wwlogin/sso/login"):
            if q.get("appid") != CORP or q.get("agentid") != AGENT:
                return self.answer({"errcode": 40013, "errmsg": "invalid appid"}, 400)
            code = secrets.token_hex(16)
            codes[code] = USER
            self.send_response(302)
            self.send_header("Location", q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")}))
            self.end_headers()
            return
        if url.path == "/sent":
            return self.answer(sent)
        self.answer({"errcode": 404, "errmsg": "not found"}, 404)

    def do_POST(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if url.path == "/cgi-bin/message/send" and q.get("access_token") == TOKEN:
            sent.append(body)
            return self.answer({"errcode": 0, "errmsg": "ok"})
        self.answer({"errcode": 40014, "errmsg": "invalid access_token"})

    def log_message(self, *args):
        pass


print(f"fake WeCom on http://127.0.0.1:{PORT}", flush=True)
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
