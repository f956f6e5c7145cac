// Scry web UI: hash routes, one fetch wrapper, no dependencies.
// Every value from the server goes into the page as text (never as HTML).
import { GraphView } from "./graph.js";

const main = document.getElementById("main");
let csrf = null;      // the session's CSRF token; kept in memory only
let who = null;       // the signed-in key's public info

// ---------- small helpers ----------
export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

export function toast(msg, bad = false) {
  const t = document.getElementById("toast");
  t.textContent = msg;
  t.className = "show" + (bad ? " bad" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ""; }, bad ? 6000 : 2500);
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

// The one way the page talks to the server: the session cookie goes along,
// state-changing requests carry the CSRF token.
export async function api(path, { method = "GET", json, text = false } = {}) {
  const headers = {};
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrf || "";
  let body;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  const r = await fetch(path, { method, headers, body, credentials: "same-origin", cache: "no-store" });
  if (r.status === 401 && !path.startsWith("/ui/")) { showLogin("Your session has ended; sign in again."); throw new ApiError(401, null); }
  if (!r.ok) {
    let b = null;
    try { b = await r.json(); } catch (_) { /* not JSON */ }
    throw new ApiError(r.status, b);
  }
  if (r.status === 204) return null;
  return text ? r.text() : r.json();
}

export function riskBadge(risk, big = false) {
  if (risk === null || risk === undefined) return h("span", { class: "risk" + (big ? " big" : ""), title: "not scored" }, "–");
  const band = risk >= 80 ? 3 : risk >= 60 ? 2 : risk >= 30 ? 1 : 0;
  return h("span", { class: `risk r${band}` + (big ? " big" : ""), title: `risk ${risk}/100` }, String(risk));
}

export function download(name, data, type) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

const IPV4 = /^(\d{1,3}\.){3}\d{1,3}(\/\d{1,2})?$/;
const IPV6 = /^[0-9a-f:]+:[0-9a-f:.]*(\/\d{1,3})?$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}\.?$)([\p{L}\p{N}_](?:[\p{L}\p{N}_-]{0,62})?\.)+[\p{L}\p{N}-]{2,63}\.?$/u;

// What the search box was given: a query, an address, an e-mail or a name.
export function classify(q) {
  q = q.trim();
  if (/[=]/.test(q) || /\s(AND|OR|NOT)\s/.test(q) || /^NOT\s/.test(q)) return { kind: "query", query: q };
  if (IPV4.test(q) || IPV6.test(q)) return { kind: "ip", query: `ip=${q}` };
  if (EMAIL.test(q)) {
    const e = q.toLowerCase();
    return { kind: "email", query: `registrant_email="${e}" OR admin_email="${e}" OR tech_email="${e}"` };
  }
  if (DOMAIN.test(q)) return { kind: "domain", domain: q.toLowerCase().replace(/\.$/, "") };
  return { kind: "query", query: q };
}

function route() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?");
  return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(qs || "") };
}

export function go(hash) { location.hash = hash; }

function setNav(name) {
  for (const a of document.querySelectorAll("#top nav a")) a.classList.toggle("active", a.dataset.nav === name);
}

let current = null; // the page object (may have a dispose())

async function render() {
  if (current && current.dispose) current.dispose();
  current = null;
  main.className = "";
  if (!who) return;
  const { parts, params } = route();
  const page = parts[0] || "";
  setNav(page);
  main.replaceChildren(h("p", { class: "muted pad" }, "Loading…"));
  try {
    if (page === "" ) current = await home();
    else if (page === "search") current = await searchPage(params.get("q") || "");
    else if (page === "domain") current = await profilePage(parts[1] || "");
    else if (page === "pivot") current = await pivotPage(params.get("field") || "", params.get("value") || "");
    else if (page === "graph") current = await graphPage(params.get("seed") || "");
    else if (page === "alerts") current = await alertsPage(params.get("state") || "new", params.get("since") === "yesterday");
    else if (page === "monitors") current = await monitorsPage();
    else main.replaceChildren(h("p", { class: "pad" }, "No such page."));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    main.replaceChildren(h("div", { class: "card" }, h("h2", {}, "Error"), h("p", { class: "error" }, e.message)));
  }
}

// ---------- sign-in ----------
function showLogin(message) {
  who = null;
  csrf = null;
  document.getElementById("top").hidden = true;
  const err = h("p", { class: "error", id: "login-error" }, message || "");
  const key = h("input", { id: "login-key", type: "password", autocomplete: "off", placeholder: "scry_…", required: true });
  const form = h("form", {
    onsubmit: async (ev) => {
      ev.preventDefault();
      err.textContent = "";
      try {
        const r = await api("/ui/login", { method: "POST", json: { key: key.value } });
        key.value = "";
        signedIn(r);
      } catch (e) {
        err.textContent = e.status === 401 ? "Unknown or revoked API key." : e.message;
      }
    },
  },
    h("label", { for: "login-key" }, "API key"), key,
    h("button", { type: "submit", id: "login-submit" }, "Sign in"));
  main.className = "";
  main.replaceChildren(h("div", { class: "card login" },
    h("h1", {}, h("img", { src: "/ui/favicon.svg", width: 28, height: 28, alt: "" }), "Scry"),
    h("p", { class: "muted" }, "Sign in with an API key (", h("span", { class: "mono" }, "scry keys create --scope write"),
      "). The key is exchanged for a session cookie and is not kept by the page."),
    form, err));
  key.focus();
}

function signedIn(r) {
  csrf = r.csrf;
  who = r.key;
  document.getElementById("top").hidden = false;
  document.getElementById("who").textContent = `${who.name || who.id} · ${who.scope}`;
  render();
}

document.getElementById("logout").addEventListener("click", async () => {
  try { await api("/ui/logout", { method: "POST" }); } catch (_) { /* already gone */ }
  showLogin("Signed out.");
});

document.getElementById("search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = document.getElementById("search-box").value.trim();
  if (!q) return;
  const c = classify(q);
  if (c.kind === "domain") go(`#/domain/${encodeURIComponent(c.domain)}`);
  else go(`#/search?q=${encodeURIComponent(q)}`);
});

// ---------- home ----------
async function home() {
  const alerts = await api("/api/v1/alerts?state=new").catch(() => []);
  main.replaceChildren(
    h("div", { class: "card" },
      h("h1", {}, "Domain intelligence"),
      h("p", { class: "muted" }, "Search a domain, an IP address, an e-mail address or a query such as ",
        h("span", { class: "mono" }, 'nameserver_host=ns1.example.net AND NOT registrar="Good Registrar"'), "."),
      h("div", { class: "kpi" },
        h("div", {}, h("b", {}, String(alerts.length)), h("a", { href: "#/alerts" }, "new alerts to review")),
        h("div", {}, h("b", {}, "⌘"), h("a", { href: "#/graph" }, "open the graph")),
        h("div", {}, h("b", {}, "✎"), h("a", { href: "#/monitors" }, "edit monitors")))));
  document.getElementById("search-box").focus();
  return null;
}

// ---------- result tables (search, pivot) ----------
// A page of domains with their risk; sortable, selectable, paged by cursor.
function resultsTable({ title, subtitle, fetchPage }) {
  const state = { cursors: [null], page: 0, rows: [], sort: { key: "risk", dir: -1 }, selected: new Set(), total: 0, next: null };
  const tbody = h("tbody");
  const info = h("span", { class: "muted", id: "results-info" });
  const prev = h("button", { class: "quiet small", id: "prev-page", onclick: () => { if (state.page > 0) { state.page--; load(); } } }, "← Previous");
  const next = h("button", { class: "quiet small", id: "next-page", onclick: () => { if (state.next) { state.page++; state.cursors[state.page] = state.next; load(); } } }, "Next →");
  const out = h("pre", { class: "out", id: "results-export", hidden: true });
  const allBox = h("input", { type: "checkbox", title: "select the page", onchange: () => {
    for (const r of state.rows) allBox.checked ? state.selected.add(r.domain) : state.selected.delete(r.domain);
    draw();
  } });
  const head = (label, key, cls = "") => h("th", { class: "sortable " + cls, dataset: { sort: key }, onclick: () => {
    state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : (key === "risk" ? -1 : 1) };
    draw();
  } }, label, state.sort.key === key ? (state.sort.dir > 0 ? " ▲" : " ▼") : "");
  const thead = h("thead");
  function draw() {
    thead.replaceChildren(h("tr", {}, h("th", {}, allBox), head("Domain", "domain"), head("Risk", "risk", "num"), h("th", {}, "Why"), h("th", {}, "")));
    const rows = [...state.rows].sort((a, b) => {
      const k = state.sort.key;
      const x = a[k] ?? -1, y = b[k] ?? -1;
      return (x < y ? -1 : x > y ? 1 : 0) * state.sort.dir;
    });
    tbody.replaceChildren(...rows.map((r) => h("tr", { class: "result-row", dataset: { domain: r.domain } },
      h("td", {}, h("input", { type: "checkbox", checked: state.selected.has(r.domain), onchange: (ev) => {
        ev.target.checked ? state.selected.add(r.domain) : state.selected.delete(r.domain);
      } })),
      h("td", {}, h("a", { href: `#/domain/${encodeURIComponent(r.domain)}`, class: "mono" }, r.domain)),
      h("td", { class: "num" }, riskBadge(r.risk)),
      h("td", { class: "muted" }, (r.threats || []).map((t) => h("span", { class: "tag threat" }, t)), r.reason || ""),
      h("td", {}, h("a", { href: `#/graph?seed=${encodeURIComponent(r.domain)}` }, "graph")))));
    const first = state.page * state.size + 1;
    info.textContent = state.total ? `${first}–${first + state.rows.length - 1} of ${state.total.toLocaleString()}` : "no domains";
    prev.disabled = state.page === 0;
    next.disabled = !state.next;
  }
  async function load() {
    tbody.replaceChildren(h("tr", {}, h("td", { colspan: 5, class: "muted" }, "Loading…")));
    const r = await fetchPage(state.cursors[state.page]);
    state.total = r.total;
    state.next = r.next_cursor;
    state.size = 50;
    const risks = r.domains.length ? await api("/api/v1/risk", { method: "POST", json: { indicators: r.domains } }).catch(() => null) : null;
    const byName = new Map();
    for (const x of (risks && risks.results) || []) byName.set(x.indicator, x);
    state.rows = r.domains.map((d) => {
      const x = byName.get(d);
      const top = x && x.evidence && x.evidence[0];
      return { domain: d, risk: x ? x.risk : null, threats: x ? x.threats : [], reason: top ? top.text : "" };
    });
    allBox.checked = false;
    draw();
  }
  async function exportSel(format) {
    const domains = state.selected.size ? [...state.selected] : state.rows.map((r) => r.domain);
    if (!domains.length) return toast("Nothing to export", true);
    const text = await api(`/api/v1/export/${format}`, { method: "POST", json: { domains }, text: true });
    out.hidden = false;
    out.textContent = text;
    download(format === "rpz" ? "scry-blocklist.rpz" : "scry-blocklist.txt", text, "text/plain");
    toast(`${domains.length} domains exported as ${format === "rpz" ? "an RPZ zone" : "a list"}`);
  }
  const el = h("div", { class: "card" },
    h("div", { class: "row" }, h("div", {}, h("h1", { id: "results-title" }, title), subtitle ? h("div", { class: "muted" }, subtitle) : null),
      h("span", { class: "spacer" }),
      h("button", { class: "quiet small", id: "export-rpz", onclick: () => exportSel("rpz") }, "Blocklist (RPZ)"),
      h("button", { class: "quiet small", id: "export-list", onclick: () => exportSel("list") }, "Blocklist (list)")),
    h("table", { id: "results" }, thead, tbody),
    h("div", { class: "row", style: null }, info, h("span", { class: "spacer" }), prev, next),
    out);
  return { el, load };
}

async function searchPage(q) {
  document.getElementById("search-box").value = q;
  const c = classify(q);
  if (c.kind === "domain") { go(`#/domain/${encodeURIComponent(c.domain)}`); return null; }
  const t = resultsTable({
    title: `Search`,
    subtitle: c.query,
    fetchPage: (cursor) => api("/api/v1/search", { method: "POST", json: { query: c.query, cursor, limit: 50 } }),
  });
  main.replaceChildren(t.el);
  await t.load();
  return null;
}

async function pivotPage(field, value) {
  const t = resultsTable({
    title: `${field} = ${value}`,
    subtitle: "Domains sharing this value",
    fetchPage: (cursor) => api(`/api/v1/pivot?field=${encodeURIComponent(field)}&value=${encodeURIComponent(value)}&limit=50${cursor ? "&cursor=" + encodeURIComponent(cursor) : ""}`),
  });
  const graphLink = h("p", {}, h("a", { href: `#/graph?seed=${encodeURIComponent(field + "=" + value)}`, id: "pivot-graph" }, "Open this value in the graph →"));
  main.replaceChildren(t.el, graphLink);
  await t.load();
  return null;
}

// ---------- domain profile ----------
const SECTION_ORDER = ["registration", "dns", "hosting", "name_servers", "mail", "certificates", "threat", "lifecycle"];
const SECTION_TITLES = { registration: "Registration (current)", dns: "DNS", hosting: "Hosting and ASN", name_servers: "Name servers", mail: "Mail", certificates: "Certificates", threat: "Threat feeds", lifecycle: "Lifecycle" };

function pivotValue(field, v, guidedMax) {
  const cls = "pv" + (v.guided ? " guided" : "") + (v.current ? "" : " historic");
  const extra = [v.asn ? `AS${v.asn}` : null, v.asn_org, v.country].filter(Boolean).join(" · ");
  return h("a", {
    class: cls, href: `#/pivot?field=${encodeURIComponent(field)}&value=${encodeURIComponent(v.value)}`,
    title: `${v.count} domains share it now, ${v.historic_count} before · seen ${v.first_seen} – ${v.last_seen}` + (v.guided ? ` · guided pivot (at most ${guidedMax} domains)` : ""),
    dataset: { field, value: v.value, guided: v.guided ? "1" : "0" },
  }, h("span", { class: "v mono" }, v.value), extra ? h("span", { class: "meta" }, extra) : null, h("span", { class: "c" }, v.count.toLocaleString()));
}

function whoisHistory(w) {
  if (!w || !w.versions || !w.versions.length) return h("p", { class: "muted" }, "No registration records.");
  const vrows = w.versions.map((v) => h("tr", {},
    h("td", { class: "mono" }, v.time), h("td", {}, v.kind),
    h("td", {}, (v.record.registrar && v.record.registrar.name) || ""),
    h("td", { class: "mono" }, (v.record.contacts && v.record.contacts.registrant && (v.record.contacts.registrant.email || v.record.contacts.registrant.name)) || (v.record.redacted && v.record.redacted.any ? "redacted" : "")),
    h("td", { class: "mono" }, (v.record.name_servers || []).join(" "))));
  const drows = (w.diffs || []).flatMap((d) => (d.changes || []).map((c) => h("tr", {},
    h("td", { class: "mono" }, `${d.from} → ${d.to}`), h("td", {}, c.field),
    h("td", { class: "diff-del mono" }, c.old ?? ""),
    h("td", { class: "diff-add mono" }, c.new ?? ""))));
  return h("div", {},
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Time"), h("th", {}, "Source"), h("th", {}, "Registrar"), h("th", {}, "Registrant"), h("th", {}, "Name servers"))), h("tbody", {}, vrows)),
    h("h2", { style: null }, "Changes"),
    drows.length ? h("table", { id: "whois-diffs" }, h("thead", {}, h("tr", {}, h("th", {}, "Between"), h("th", {}, "Field"), h("th", {}, "Before"), h("th", {}, "After"))), h("tbody", {}, drows))
      : h("p", { class: "muted" }, "No changes between the recorded versions."));
}

function pdnsTable(p) {
  const recs = (p && p.records) || [];
  if (!recs.length) return h("p", { class: "muted" }, "No passive DNS records.");
  const t = (s) => new Date(s * 1000).toISOString().slice(0, 16).replace("T", " ");
  return h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Type"), h("th", {}, "Answer"), h("th", {}, "First"), h("th", {}, "Last"), h("th", { class: "num" }, "Count"))),
    h("tbody", {}, recs.slice(0, 200).map((r) => h("tr", {},
      h("td", { class: "mono" }, r.rrname), h("td", {}, r.rrtype), h("td", { class: "mono" }, r.rdata),
      h("td", { class: "mono" }, t(r.time_first)), h("td", { class: "mono" }, t(r.time_last)), h("td", { class: "num" }, String(r.count))))));
}

async function profilePage(domain) {
  const enc = encodeURIComponent(domain);
  const [p, risk, whois, pdns] = await Promise.all([
    api(`/api/v1/domains/${enc}`),
    api(`/api/v1/risk?domain=${enc}`).catch(() => null),
    api(`/api/v1/whois/${enc}`).catch(() => null),
    api(`/api/v1/pdns/rrset/${encodeURIComponent("*." + domain)}?limit=200`).then(async (a) => {
      const b = await api(`/api/v1/pdns/rrset/${enc}?limit=200`).catch(() => ({ records: [] }));
      return { records: [...b.records, ...a.records] };
    }).catch(() => null),
  ]);
  document.getElementById("search-box").value = p.domain;
  const sections = SECTION_ORDER.filter((s) => p[s]).concat(Object.keys(p).filter((k) => typeof p[k] === "object" && !Array.isArray(p[k]) && !SECTION_ORDER.includes(k) && k !== "history"));
  const card = (name) => h("div", { class: "card", id: `section-${name}` }, h("h2", {}, SECTION_TITLES[name] || name.replace(/_/g, " ")),
    h("dl", { class: "fields" }, Object.entries(p[name]).flatMap(([field, values]) => [
      h("dt", {}, field.replace(/_/g, " ")),
      h("dd", {}, values.map((v) => pivotValue(field, v, p.guided_max))),
    ])));
  const riskCard = h("div", { class: "card", id: "section-risk" }, h("h2", {}, "Risk"),
    risk ? h("div", {},
      h("div", { class: "row" }, riskBadge(risk.risk, true), h("div", {}, (risk.threats || []).map((t) => h("span", { class: "tag threat" }, t)), h("div", { class: "muted" }, `status: ${risk.status}`))),
      h("table", {}, h("tbody", {}, (risk.components || []).map((c) => h("tr", {}, h("td", {}, c.name), h("td", {}, h("div", { class: "bar" }, barSpan(c.risk))), h("td", { class: "num" }, String(c.risk)))))),
      h("ul", { class: "evidence" }, (risk.evidence || []).slice(0, 12).map((e) => h("li", {}, h("span", { class: "tag" }, e.component), e.text))))
      : h("p", { class: "muted" }, "Not scored."));
  main.replaceChildren(
    h("div", { class: "card" }, h("div", { class: "row" },
      h("div", {}, h("h1", { id: "profile-domain", class: "mono" }, p.domain_unicode || p.domain),
        h("div", { class: "muted" }, p.found ? `${p.history.facts} facts from ${p.history.sources.length} sources · first seen ${p.history.first_seen} · last seen ${p.history.last_seen}` : "Nothing is known about this domain.",
          p.flags.length ? " · " + p.flags.join(", ") : "")),
      h("span", { class: "spacer" }),
      risk ? riskBadge(risk.risk, true) : null,
      h("a", { href: `#/graph?seed=${enc}`, id: "profile-graph" }, h("button", { type: "button" }, "Open graph"))),
      h("p", { class: "legend" }, "Every value shows how many domains share it; ", h("span", { class: "pv guided" }, h("span", { class: "v" }, "guided pivots"), h("span", { class: "c" }, "n")),
        ` are specific enough to follow (at most ${p.guided_max} domains). Click a value to pivot.`)),
    h("div", { class: "grid" }, riskCard, ...sections.map(card),
      h("div", { class: "card", id: "section-whois" }, h("h2", {}, "Registration history"), whoisHistory(whois)),
      h("div", { class: "card", id: "section-pdns" }, h("h2", {}, "Passive DNS"), pdnsTable(pdns))));
  return null;
}

function barSpan(v) {
  const s = h("span");
  s.style.width = `${Math.max(0, Math.min(100, v))}%`;
  s.style.background = v >= 80 ? "var(--crit)" : v >= 60 ? "var(--high)" : v >= 30 ? "var(--mid)" : "var(--low)";
  return s;
}

// ---------- graph ----------
async function graphPage(seed) {
  main.className = "wide";
  document.getElementById("search-box").value = "";
  const view = new GraphView({ api, h, toast, download, riskBadge, go });
  main.replaceChildren(view.el);
  if (seed) await view.expand(seed, true);
  return view;
}

// ---------- alerts: the morning review ----------
const TRIAGE = { w: "watched", i: "ignored", e: "blocked", t: "takedown-requested" };

async function alertsPage(stateFilter, onlyFresh) {
  const all = await api(`/api/v1/alerts${stateFilter === "all" ? "" : "?state=" + encodeURIComponent(stateFilter)}`);
  // "Since yesterday": raised (first state change) in the last 24 hours.
  const since = Date.now() - 24 * 3600 * 1000;
  const created = (a) => Date.parse((a.history[0] && a.history[0].when) || a.event_time);
  const fresh = all.filter((a) => created(a) >= since).length;
  const alerts = (onlyFresh ? all.filter((a) => created(a) >= since) : all)
    .sort((a, b) => (b.risk ? b.risk.score : -1) - (a.risk ? a.risk.score : -1) || b.id - a.id);
  let cursor = 0;
  const selected = new Set();
  const tbody = h("tbody");
  const out = h("pre", { class: "out", id: "alerts-export", hidden: true });
  function draw() {
    tbody.replaceChildren(...alerts.map((a, i) => h("tr", { class: "alert-row" + (i === cursor ? " cursor" : ""), dataset: { id: String(a.id) }, onclick: () => { cursor = i; draw(); } },
      h("td", {}, h("input", { type: "checkbox", checked: selected.has(a.id), onchange: (ev) => { ev.target.checked ? selected.add(a.id) : selected.delete(a.id); } })),
      h("td", { class: "num muted" }, `#${a.id}`),
      h("td", {}, h("a", { href: `#/domain/${encodeURIComponent(a.domain)}`, class: "mono" }, a.domain)),
      h("td", { class: "num" }, riskBadge(a.risk ? a.risk.score : null)),
      h("td", {}, a.reason, a.risk && a.risk.threats && a.risk.threats.length ? h("span", {}, " ", a.risk.threats.map((t) => h("span", { class: "tag threat" }, t))) : null),
      h("td", { class: "mono muted" }, a.event_time.slice(0, 16).replace("T", " ")),
      h("td", {}, h("span", { class: `state ${a.state}`, id: `alert-state-${a.id}` }, a.state)))));
    const row = tbody.children[cursor];
    if (row) row.scrollIntoView({ block: "nearest" });
  }
  async function triage(state) {
    const a = alerts[cursor];
    if (!a) return;
    try {
      const r = await api(`/api/v1/alerts/${a.id}/state`, { method: "POST", json: { state, note: "triaged in the web UI" } });
      alerts[cursor] = r;
      toast(`#${a.id} ${a.domain}: ${state}`);
      if (cursor < alerts.length - 1) cursor++;
      draw();
    } catch (e) { toast(e.message, true); }
  }
  const onKey = (ev) => {
    if (ev.target.closest && ev.target.closest("input, textarea, select")) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === "j" || ev.key === "ArrowDown") { cursor = Math.min(alerts.length - 1, cursor + 1); draw(); ev.preventDefault(); }
    else if (ev.key === "k" || ev.key === "ArrowUp") { cursor = Math.max(0, cursor - 1); draw(); ev.preventDefault(); }
    else if (ev.key === "x") { const a = alerts[cursor]; if (a) { selected.has(a.id) ? selected.delete(a.id) : selected.add(a.id); draw(); } }
    else if (ev.key === "o" || ev.key === "Enter") { const a = alerts[cursor]; if (a) go(`#/domain/${encodeURIComponent(a.domain)}`); }
    else if (TRIAGE[ev.key]) { triage(TRIAGE[ev.key]); ev.preventDefault(); }
  };
  document.addEventListener("keydown", onKey);
  async function exportSel(format) {
    const pick = selected.size ? alerts.filter((a) => selected.has(a.id)) : alerts;
    const domains = [...new Set(pick.map((a) => a.domain))];
    if (!domains.length) return toast("Nothing to export", true);
    const text = await api(`/api/v1/export/${format}`, { method: "POST", json: { domains }, text: true });
    out.hidden = false;
    out.textContent = text;
    download(format === "rpz" ? "scry-alerts.rpz" : "scry-alerts.txt", text, "text/plain");
  }
  const tab = (s, label) => h("a", { href: `#/alerts?state=${s}`, class: "tag" + (s === stateFilter && !onlyFresh ? " threat" : "") }, label);
  main.replaceChildren(
    h("div", { class: "kpi", style: null },
      h("div", {}, h("b", { id: "alerts-count" }, String(alerts.length)), `alerts ${stateFilter === "all" ? "in all" : "in state " + stateFilter}`),
      h("div", {}, h("b", {}, String(fresh)), h("a", { href: `#/alerts?state=${stateFilter}&since=yesterday`, id: "alerts-fresh" }, "raised since yesterday")),
      h("div", {}, h("b", {}, String(alerts.filter((a) => a.risk && a.risk.score >= 80).length)), "with risk ≥ 80")),
    h("div", { class: "card", style: null },
      h("div", { class: "row" }, h("h1", {}, "Morning review"), h("span", { class: "spacer" }),
        tab("new", "new"), tab("watched", "watched"), tab("blocked", "blocked"), tab("all", "all"),
        h("button", { class: "quiet small", id: "alerts-rpz", onclick: () => exportSel("rpz") }, "Blocklist (RPZ)"),
        h("button", { class: "quiet small", id: "alerts-list", onclick: () => exportSel("list") }, "Blocklist (list)")),
      h("p", { class: "muted" }, h("kbd", {}, "j"), "/", h("kbd", {}, "k"), " move · ", h("kbd", {}, "w"), " watch · ", h("kbd", {}, "i"), " ignore · ",
        h("kbd", {}, "e"), " escalate (block) · ", h("kbd", {}, "t"), " request takedown · ", h("kbd", {}, "x"), " select · ", h("kbd", {}, "o"), " open"),
      alerts.length ? h("table", { id: "alerts" }, h("thead", {}, h("tr", {}, h("th", {}, ""), h("th", { class: "num" }, "Id"), h("th", {}, "Domain"), h("th", { class: "num" }, "Risk"), h("th", {}, "Why"), h("th", {}, "Event"), h("th", {}, "State"))), tbody)
        : h("p", { class: "muted", id: "alerts-empty" }, "Nothing to review."),
      out));
  draw();
  return { dispose: () => document.removeEventListener("keydown", onKey) };
}

// ---------- monitors ----------
async function monitorsPage() {
  const list = await api("/api/v1/monitors");
  let editing = null;
  const kind = h("select", { id: "mon-kind" }, ["brand", "nameserver", "registrant", "ip"].map((k) => h("option", { value: k }, k)));
  const name = h("input", { id: "mon-name", placeholder: "name", required: true });
  const terms = h("input", { id: "mon-terms", placeholder: "terms, comma-separated (paypal.com, …)", required: true, size: 40 });
  const excl = h("input", { id: "mon-excl", placeholder: "exclusions, comma-separated", size: 30 });
  const subs = h("input", { type: "checkbox", id: "mon-subs" });
  const submit = h("button", { type: "submit", id: "mon-save" }, "Add monitor");
  const split = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const form = h("form", { class: "row", onsubmit: async (ev) => {
    ev.preventDefault();
    try {
      await api("/api/v1/monitors", { method: "POST", json: { kind: kind.value, name: name.value, terms: split(terms.value), exclusions: split(excl.value), match_substring_variations: subs.checked } });
      if (editing !== null) await api(`/api/v1/monitors/${editing}`, { method: "DELETE" });
      toast(editing !== null ? "Monitor updated" : "Monitor added");
      render();
    } catch (e) { toast(e.message, true); }
  } }, kind, name, terms, excl, h("label", {}, subs, "substring variations"), submit);
  const fmt = (m, k) => Array.isArray(m[k]) ? m[k].join(", ") : (m[k] ?? "");
  main.replaceChildren(h("div", { class: "card" }, h("h1", {}, "Monitors"),
    h("p", { class: "muted" }, "New zone additions, passive DNS first sightings and registration records are checked against these by ", h("span", { class: "mono" }, "scry monitor run"), "."),
    form,
    h("table", { id: "monitors" }, h("thead", {}, h("tr", {}, h("th", {}, "Id"), h("th", {}, "Kind"), h("th", {}, "Name"), h("th", {}, "Terms"), h("th", {}, "Exclusions"), h("th", {}, ""))),
      h("tbody", {}, list.map((m) => h("tr", {},
        h("td", { class: "muted" }, String(m.id)), h("td", {}, m.kind), h("td", {}, m.name), h("td", { class: "mono" }, fmt(m, "terms")), h("td", { class: "mono" }, fmt(m, "exclusions")),
        h("td", {}, h("button", { class: "quiet small", onclick: () => {
          editing = m.id; kind.value = m.kind; name.value = m.name; terms.value = fmt(m, "terms"); excl.value = fmt(m, "exclusions");
          subs.checked = !!m.match_substring_variations; submit.textContent = `Save monitor ${m.id}`;
        } }, "Edit"), " ",
          h("button", { class: "quiet small", onclick: async () => {
            if (!confirm(`Remove monitor ${m.name}? Its alerts stay.`)) return;
            try { await api(`/api/v1/monitors/${m.id}`, { method: "DELETE" }); render(); } catch (e) { toast(e.message, true); }
          } }, "Remove"))))))));
  return null;
}

// ---------- start ----------
window.addEventListener("hashchange", render);
(async () => {
  try {
    signedIn(await api("/ui/session"));
  } catch (_) {
    showLogin("");
  }
})();
