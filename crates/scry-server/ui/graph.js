// The interactive infrastructure graph: SVG drawn by hand, a small
// force-directed layout with a bounded number of iterations, pan and zoom,
// click to select (shift-click adds), double-click or "Expand" to grow a
// node by its guided pivots (GET /api/v1/graph?depth=1), shift-drag to
// select a rectangle, filters by type, time and risk, colour by risk,
// exports of the selection (CSV, JSON, SVG, PNG) and blocklists (RPZ, list).

const SVGNS = "http://www.w3.org/2000/svg";
const TYPE_COLOURS = ["#6172f3", "#0ba5ec", "#15b79e", "#9e77ed", "#ee46bc", "#667085", "#f79009", "#4e5ba6", "#3e4784", "#088ab2"];
const MAX_LABEL = 26;

function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function riskColour(r) {
  if (r === null || r === undefined) return "#98a2b3";
  if (r >= 80) return "#c9302c";
  if (r >= 60) return "#e0662b";
  if (r >= 30) return "#e0a100";
  return "#2e9d5b";
}

const short = (s) => (s.length > MAX_LABEL ? s.slice(0, MAX_LABEL - 1) + "…" : s);
// A graph seed from what was typed: a domain or field=value as is, an IP
// address as ip=..., an e-mail address as registrant_email=...
export function seedFor(text) {
  const t = text.trim();
  if (t.includes("=")) return t;
  if (/^(\d{1,3}\.){3}\d{1,3}$/.test(t) || /^[0-9a-f:]+:[0-9a-f:.]*$/i.test(t)) return `ip=${t}`;
  if (/^[^\s@]+@[^\s@]+$/.test(t)) return `registrant_email=${t.toLowerCase()}`;
  return t;
}
const seedOf = (n) => (n.type === "domain" ? n.label : `${n.type}=${n.label}`);

export class GraphView {
  constructor(ctx) {
    this.ctx = ctx;
    this.nodes = new Map();
    this.edges = new Map();
    this.selected = new Set();
    this.typeColour = new Map();
    this.hiddenTypes = new Set();
    this.minRisk = 0;
    this.since = "";
    this.currentOnly = false;
    this.view = { x: 0, y: 0, k: 1 };
    this.focus = null;
    this.lastMs = null;
    this.build();
  }

  colourOf(type) {
    if (type === "domain") return null;
    if (!this.typeColour.has(type)) this.typeColour.set(type, TYPE_COLOURS[this.typeColour.size % TYPE_COLOURS.length]);
    return this.typeColour.get(type);
  }

  // ---------- layout of the page ----------
  build() {
    const { h } = this.ctx;
    this.seedInput = h("input", { id: "graph-seed", placeholder: "domain, IP, e-mail or field=value", spellcheck: "false" });
    const seedForm = h("form", { class: "row", onsubmit: (ev) => { ev.preventDefault(); const s = seedFor(this.seedInput.value); if (s) this.ctx.go(`#/graph?seed=${encodeURIComponent(s)}`); } },
      this.seedInput, h("button", { type: "submit" }, "Start"));
    this.typeBox = h("div", { id: "graph-types" });
    const risk = h("input", { type: "range", min: 0, max: 100, step: 5, value: 0, id: "graph-min-risk" });
    const riskLabel = h("span", { class: "mono" }, "0");
    risk.addEventListener("input", () => { this.minRisk = Number(risk.value); riskLabel.textContent = risk.value; this.draw(); });
    const since = h("input", { type: "date", id: "graph-since" });
    since.addEventListener("change", () => { this.since = since.value; this.draw(); });
    const cur = h("input", { type: "checkbox", id: "graph-current" });
    cur.addEventListener("change", () => { this.currentOnly = cur.checked; this.draw(); });
    const legend = h("div", { class: "legend" }, [[90, "≥ 80"], [70, "60–79"], [40, "30–59"], [10, "< 30"], [null, "not scored"]].map(([r, l]) => {
      const dot = svg("svg", { width: 12, height: 12 });
      dot.append(svg("circle", { cx: 6, cy: 6, r: 5, fill: riskColour(r) }));
      return h("div", {}, dot, " ", l);
    }));
    const left = h("aside", { class: "graph-side" },
      h("h2", {}, "Start from"), seedForm,
      h("h2", {}, "Filter"),
      h("label", {}, "Domain risk at least ", riskLabel), risk,
      h("label", {}, "Edges seen since"), since,
      h("label", {}, cur, "current edges only"),
      h("h2", {}, "Types"), this.typeBox,
      h("h2", {}, "Risk colours"), legend,
      h("p", { class: "muted" }, "Click selects, shift-click adds, shift-drag selects an area, double-click expands, drag pans, wheel zooms."));

    this.svg = svg("svg", { id: "graph-svg", "font-family": "DejaVu Sans, sans-serif" });
    this.root = svg("g");
    this.edgeLayer = svg("g");
    this.nodeLayer = svg("g");
    this.root.append(this.edgeLayer, this.nodeLayer);
    this.svg.append(this.root);
    this.stats = h("div", { class: "graph-stats", id: "graph-stats" });
    this.hint = h("div", { class: "graph-hint" }, "Start from a domain, an IP or field=value.");
    const canvas = h("div", { id: "graph-canvas" }, this.svg, this.stats, this.hint);
    this.bindPointer();

    this.details = h("div", { id: "graph-details" }, h("p", { class: "muted" }, "Select a node."));
    this.selInfo = h("p", { id: "graph-selection" }, "Nothing selected.");
    this.out = h("pre", { class: "out", id: "graph-export", hidden: true });
    const b = (label, id, fn) => h("button", { class: "quiet small", id, type: "button", onclick: fn }, label);
    const right = h("aside", { class: "graph-side right" },
      h("h2", {}, "Node"), this.details,
      h("h2", {}, "Selection"), this.selInfo,
      h("div", { class: "btns" },
        b("Expand", "graph-expand", () => this.expandSelected()),
        b("All domains", "graph-select-domains", () => { this.selectWhere((n) => n.type === "domain"); }),
        b("Risky domains", "graph-select-risky", () => { this.selectWhere((n) => n.type === "domain" && (n.risk ?? 0) >= Math.max(this.minRisk, 60)); }),
        b("Clear", "graph-clear", () => { this.selected.clear(); this.draw(); }),
        b("Remove", "graph-remove", () => this.removeSelected())),
      h("h2", {}, "Export selection"),
      h("div", { class: "btns" },
        b("CSV", "graph-csv", () => this.exportData("csv")),
        b("JSON", "graph-json", () => this.exportData("json")),
        b("SVG", "graph-svg-export", () => this.exportPicture("svg")),
        b("PNG", "graph-png", () => this.exportPicture("png"))),
      h("h2", {}, "Send to a blocklist"),
      h("div", { class: "btns" },
        b("RPZ zone", "graph-rpz", () => this.blocklist("rpz")),
        b("Plain list", "graph-list", () => this.blocklist("list"))),
      this.out);
    this.el = h("div", { class: "graph-page" }, left, canvas, right);
  }

  // ---------- data ----------
  async expand(seed, fresh = false) {
    const { api, toast } = this.ctx;
    if (fresh) this.seedInput.value = seed;
    const mark = `scry-expand-${performance.now()}`;
    performance.mark(mark);
    let g;
    try {
      g = await api(`/api/v1/graph?seed=${encodeURIComponent(seed)}&depth=1&max_nodes=400&max_fanout=1000`);
    } catch (e) {
      toast(e.message, true);
      return;
    }
    const seedNode = this.nodes.get(g.seed);
    const cx = seedNode ? seedNode.x : 0, cy = seedNode ? seedNode.y : 0;
    const added = [];
    for (const n of g.nodes) {
      const old = this.nodes.get(n.id);
      if (old) { Object.assign(old, { risk: n.risk ?? old.risk, risk_reason: n.risk_reason ?? old.risk_reason, holders: n.holders ?? old.holders }); continue; }
      const a = Math.random() * Math.PI * 2, r = 60 + Math.random() * 80;
      const node = { id: n.id, type: n.type, label: n.label, risk: n.risk, risk_reason: n.risk_reason, holders: n.holders, x: cx + Math.cos(a) * r, y: cy + Math.sin(a) * r, vx: 0, vy: 0, fresh: true };
      this.nodes.set(n.id, node);
      added.push(node);
      this.colourOf(n.type);
    }
    for (const e of g.edges) {
      const k = `${e.source}|${e.target}|${e.field}`;
      if (!this.edges.has(k)) this.edges.set(k, e);
    }
    const s = this.nodes.get(g.seed);
    if (s) { s.expanded = true; s.fresh = false; }
    this.layout(added.length ? 0 : 1);
    for (const n of added) n.fresh = false;
    this.buildTypes();
    this.fit();
    this.draw();
    performance.measure("scry-graph-expand", mark);
    const m = performance.getEntriesByName("scry-graph-expand").pop();
    this.lastMs = m ? m.duration : null;
    document.body.dataset.graphExpandMs = this.lastMs === null ? "" : this.lastMs.toFixed(1);
    if (g.truncated) toast("The expansion was cut at 400 nodes");
    else if (!added.length && !fresh) toast("Nothing new around this node (values shared by more than 1,000 domains are not expanded)");
    if (s) this.focusOn(s);
  }

  expandSelected() {
    const pick = [...this.selected].map((id) => this.nodes.get(id)).filter(Boolean);
    if (!pick.length && this.focus) pick.push(this.focus);
    if (!pick.length) return this.ctx.toast("Select a node to expand", true);
    return pick.slice(0, 20).reduce((p, n) => p.then(() => this.expand(seedOf(n))), Promise.resolve());
  }

  removeSelected() {
    for (const id of this.selected) this.nodes.delete(id);
    for (const [k, e] of this.edges) if (!this.nodes.has(e.source) || !this.nodes.has(e.target)) this.edges.delete(k);
    this.selected.clear();
    this.buildTypes();
    this.draw();
  }

  selectWhere(pred) {
    this.selected = new Set([...this.visibleNodes()].filter(pred).map((n) => n.id));
    this.draw();
  }

  // ---------- layout ----------
  // Bounded force-directed layout: repulsion between nodes, springs along
  // edges, a weak pull to the centre. Nodes placed earlier move less, so an
  // expansion does not reshuffle the picture.
  layout(extra = 0) {
    const nodes = [...this.nodes.values()];
    const n = nodes.length;
    if (!n) return;
    const index = new Map(nodes.map((x, i) => [x.id, i]));
    const links = [...this.edges.values()].map((e) => [index.get(e.source), index.get(e.target)]).filter(([a, b]) => a !== undefined && b !== undefined);
    const iterations = Math.max(20, Math.min(220, Math.floor(4e6 / (n * n + 1)))) + extra * 10;
    let temp = 30;
    for (let it = 0; it < iterations; it++) {
      for (const p of nodes) { p.fx = 0; p.fy = 0; }
      // repulsion (sampled above 800 nodes to stay bounded)
      const step = n > 800 ? Math.ceil(n / 800) : 1;
      for (let i = 0; i < n; i++) {
        const a = nodes[i];
        for (let j = i + 1 + ((it + i) % step); j < n; j += step) {
          const b = nodes[j];
          let dx = a.x - b.x, dy = a.y - b.y;
          let d2 = dx * dx + dy * dy;
          if (d2 < 1) { dx = Math.random() - 0.5; dy = Math.random() - 0.5; d2 = 1; }
          if (d2 > 250000) continue;
          const f = (3200 * step) / d2;
          const d = Math.sqrt(d2);
          a.fx += (dx / d) * f; a.fy += (dy / d) * f;
          b.fx -= (dx / d) * f; b.fy -= (dy / d) * f;
        }
      }
      for (const [i, j] of links) {
        const a = nodes[i], b = nodes[j];
        const dx = b.x - a.x, dy = b.y - a.y;
        const d = Math.sqrt(dx * dx + dy * dy) || 1;
        const f = (d - 90) * 0.05;
        a.fx += (dx / d) * f; a.fy += (dy / d) * f;
        b.fx -= (dx / d) * f; b.fy -= (dy / d) * f;
      }
      for (const p of nodes) {
        p.fx -= p.x * 0.002; p.fy -= p.y * 0.002;
        const mobility = p.fresh ? 1 : 0.35;
        const len = Math.sqrt(p.fx * p.fx + p.fy * p.fy) || 1;
        const mv = Math.min(len, temp) * mobility;
        p.x += (p.fx / len) * mv; p.y += (p.fy / len) * mv;
      }
      temp = Math.max(2, temp * 0.97);
    }
  }

  // ---------- filters ----------
  edgeVisible(e) {
    if (this.currentOnly && !e.current) return false;
    if (this.since && e.last_seen.slice(0, 10) < this.since) return false;
    return true;
  }

  visibleNodes() {
    const ok = new Set();
    for (const n of this.nodes.values()) {
      if (this.hiddenTypes.has(n.type)) continue;
      if (n.type === "domain" && this.minRisk > 0 && (n.risk ?? 0) < this.minRisk) continue;
      ok.add(n);
    }
    if (this.since || this.currentOnly) {
      const touched = new Set();
      for (const e of this.edges.values()) if (this.edgeVisible(e)) { touched.add(e.source); touched.add(e.target); }
      for (const n of [...ok]) if (!touched.has(n.id) && !n.expanded) ok.delete(n);
    }
    return ok;
  }

  buildTypes() {
    const { h } = this.ctx;
    const counts = new Map();
    for (const n of this.nodes.values()) counts.set(n.type, (counts.get(n.type) || 0) + 1);
    this.typeBox.replaceChildren(...[...counts.entries()].sort((a, b) => b[1] - a[1]).map(([t, c]) => {
      const box = h("input", { type: "checkbox", checked: !this.hiddenTypes.has(t), dataset: { type: t } });
      box.addEventListener("change", () => { box.checked ? this.hiddenTypes.delete(t) : this.hiddenTypes.add(t); this.draw(); });
      const sw = svg("svg", { width: 12, height: 12 });
      sw.append(t === "domain" ? svg("circle", { cx: 6, cy: 6, r: 5, fill: "#98a2b3" }) : svg("rect", { x: 1, y: 1, width: 10, height: 10, rx: 2, fill: this.colourOf(t) }));
      return h("label", {}, box, sw, `${t.replace(/_/g, " ")} (${c})`);
    }));
  }

  // ---------- drawing ----------
  fit() {
    const ns = [...this.nodes.values()];
    if (!ns.length) return;
    const r = this.svg.getBoundingClientRect();
    const w = r.width || 800, hgt = r.height || 600;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of ns) { x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y); }
    const k = Math.min(1, 0.9 * Math.min(w / Math.max(1, x1 - x0 + 120), hgt / Math.max(1, y1 - y0 + 80)));
    this.view = { k, x: w / 2 - ((x0 + x1) / 2) * k, y: hgt / 2 - ((y0 + y1) / 2) * k };
  }

  applyView() {
    this.root.setAttribute("transform", `translate(${this.view.x},${this.view.y}) scale(${this.view.k})`);
  }

  draw() {
    const vis = this.visibleNodes();
    const ids = new Set([...vis].map((n) => n.id));
    for (const id of [...this.selected]) if (!this.nodes.has(id)) this.selected.delete(id);
    this.edgeLayer.replaceChildren();
    this.nodeLayer.replaceChildren();
    let edgeCount = 0;
    for (const e of this.edges.values()) {
      if (!ids.has(e.source) || !ids.has(e.target) || !this.edgeVisible(e)) continue;
      const a = this.nodes.get(e.source), b = this.nodes.get(e.target);
      const line = svg("line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), stroke: "#c2c8d0", "stroke-width": 1.2 });
      if (!e.current) line.setAttribute("stroke-dasharray", "4 3");
      const t = svg("title");
      t.textContent = `${e.field}: ${e.first_seen.slice(0, 10)} – ${e.last_seen.slice(0, 10)}${e.current ? "" : " (historic)"}`;
      line.append(t);
      this.edgeLayer.append(line);
      edgeCount++;
    }
    for (const n of vis) {
      const g = svg("g", { class: "gnode" + (this.selected.has(n.id) ? " sel" : ""), transform: `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`, "data-id": n.id, "data-type": n.type });
      const sel = this.selected.has(n.id);
      let shape;
      if (n.type === "domain") {
        shape = svg("circle", { r: n.expanded ? 11 : 8, fill: riskColour(n.risk), stroke: sel ? "#111827" : "#fff", "stroke-width": sel ? 3 : 1.5 });
      } else {
        shape = svg("rect", { x: -7, y: -7, width: 14, height: 14, rx: 3, fill: this.colourOf(n.type), stroke: sel ? "#111827" : "#fff", "stroke-width": sel ? 3 : 1.5 });
      }
      // Domain labels only while they can be read (hover shows the rest).
      const crowded = vis.size > 150 && n.type === "domain" && !sel && !n.expanded;
      const label = svg("text", { x: 13, y: 4, "font-size": 11, visibility: crowded ? "hidden" : "visible", fill: "#344054", stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" });
      label.textContent = short(n.label);
      const title = svg("title");
      title.textContent = `${n.type}: ${n.label}` + (n.risk !== undefined && n.risk !== null ? ` · risk ${n.risk}` : "") + (n.holders ? ` · ${n.holders} domains` : "");
      g.append(shape, label, title);
      this.nodeLayer.append(g);
    }
    this.applyView();
    const domains = [...vis].filter((n) => n.type === "domain").length;
    this.stats.textContent = `${vis.size} of ${this.nodes.size} nodes · ${edgeCount} edges · ${domains} domains` + (this.lastMs !== null ? ` · last expansion ${this.lastMs.toFixed(0)} ms` : "");
    this.hint.hidden = this.nodes.size > 0;
    const selDomains = [...this.selected].filter((id) => id.startsWith("domain:")).length;
    this.selInfo.textContent = this.selected.size ? `${this.selected.size} selected (${selDomains} domains)` : "Nothing selected (exports take everything visible).";
  }

  focusOn(n) {
    const { h, riskBadge } = this.ctx;
    this.focus = n;
    const link = n.type === "domain"
      ? h("a", { href: `#/domain/${encodeURIComponent(n.label)}` }, "Open profile")
      : h("a", { href: `#/pivot?field=${encodeURIComponent(n.type)}&value=${encodeURIComponent(n.label)}` }, `Pivot: ${n.holders ?? "?"} domains`);
    this.details.replaceChildren(
      h("div", { class: "mono", id: "graph-focus" }, n.label),
      h("div", { class: "muted" }, n.type.replace(/_/g, " "), n.holders ? ` · held by ${n.holders} domains` : ""),
      n.type === "domain" ? h("div", {}, riskBadge(n.risk), " ", n.risk_reason || "") : null,
      h("div", { class: "btns" }, link, h("button", { class: "small", type: "button", id: "graph-expand-focus", onclick: () => this.expand(seedOf(n)) }, n.expanded ? "Expand again" : "Expand")));
  }

  // ---------- pointer ----------
  bindPointer() {
    const s = this.svg;
    let drag = null;
    const point = (ev) => {
      const r = s.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    };
    const world = (p) => ({ x: (p.x - this.view.x) / this.view.k, y: (p.y - this.view.y) / this.view.k });
    s.addEventListener("pointerdown", (ev) => {
      const g = ev.target.closest && ev.target.closest(".gnode");
      const p = point(ev);
      if (g) {
        const n = this.nodes.get(g.dataset.id);
        if (!n) return;
        if (ev.shiftKey || ev.ctrlKey || ev.metaKey) { this.selected.has(n.id) ? this.selected.delete(n.id) : this.selected.add(n.id); }
        else { this.selected = new Set([n.id]); }
        this.focusOn(n);
        this.draw();
        return;
      }
      s.setPointerCapture(ev.pointerId);
      if (ev.shiftKey) {
        const rect = svg("rect", { class: "sel-rect", fill: "rgba(47,111,222,.08)", stroke: "#2f6fde", "stroke-dasharray": "4 3" });
        s.append(rect);
        drag = { kind: "select", from: p, rect };
      } else {
        drag = { kind: "pan", from: p, view: { ...this.view }, moved: false };
        s.classList.add("panning");
      }
    });
    s.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const p = point(ev);
      if (drag.kind === "pan") {
        this.view.x = drag.view.x + p.x - drag.from.x;
        this.view.y = drag.view.y + p.y - drag.from.y;
        drag.moved = drag.moved || Math.abs(p.x - drag.from.x) + Math.abs(p.y - drag.from.y) > 3;
        this.applyView();
      } else {
        const x = Math.min(p.x, drag.from.x), y = Math.min(p.y, drag.from.y);
        drag.rect.setAttribute("x", x); drag.rect.setAttribute("y", y);
        drag.rect.setAttribute("width", Math.abs(p.x - drag.from.x)); drag.rect.setAttribute("height", Math.abs(p.y - drag.from.y));
        drag.to = p;
      }
    });
    const end = () => {
      if (!drag) return;
      if (drag.kind === "select" && drag.to) {
        const a = world(drag.from), b = world(drag.to);
        const [x0, x1] = [Math.min(a.x, b.x), Math.max(a.x, b.x)], [y0, y1] = [Math.min(a.y, b.y), Math.max(a.y, b.y)];
        for (const n of this.visibleNodes()) if (n.x >= x0 && n.x <= x1 && n.y >= y0 && n.y <= y1) this.selected.add(n.id);
        this.draw();
      } else if (drag.kind === "pan" && !drag.moved) {
        // a click on the background clears the selection
        this.selected.clear();
        this.draw();
      }
      if (drag.rect) drag.rect.remove();
      s.classList.remove("panning");
      drag = null;
    };
    s.addEventListener("pointerup", end);
    s.addEventListener("pointercancel", end);
    s.addEventListener("dblclick", (ev) => {
      const g = ev.target.closest && ev.target.closest(".gnode");
      const n = g && this.nodes.get(g.dataset.id);
      if (n) this.expand(seedOf(n));
    });
    s.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const p = point(ev);
      const k = Math.max(0.1, Math.min(5, this.view.k * Math.exp(-ev.deltaY * 0.0015)));
      this.view.x = p.x - ((p.x - this.view.x) * k) / this.view.k;
      this.view.y = p.y - ((p.y - this.view.y) * k) / this.view.k;
      this.view.k = k;
      this.applyView();
    }, { passive: false });
  }

  // ---------- exports ----------
  pick() {
    const vis = [...this.visibleNodes()];
    const nodes = this.selected.size ? vis.filter((n) => this.selected.has(n.id)) : vis;
    const ids = new Set(nodes.map((n) => n.id));
    const edges = [...this.edges.values()].filter((e) => ids.has(e.source) && ids.has(e.target) && this.edgeVisible(e));
    return { nodes, edges };
  }

  show(text) {
    this.out.hidden = false;
    this.out.textContent = text;
  }

  exportData(format) {
    const { nodes, edges } = this.pick();
    if (!nodes.length) return this.ctx.toast("Nothing to export", true);
    const clean = nodes.map((n) => ({ id: n.id, type: n.type, label: n.label, risk: n.risk ?? null, risk_reason: n.risk_reason ?? null, holders: n.holders ?? null }));
    let text;
    if (format === "json") {
      text = JSON.stringify({ seed: this.seedInput.value, nodes: clean, edges }, null, 2);
    } else {
      const q = (v) => (v === null || v === undefined ? "" : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
      text = ["id,type,label,risk,risk_reason,holders", ...clean.map((n) => [n.id, n.type, n.label, n.risk, n.risk_reason, n.holders].map(q).join(","))].join("\n") + "\n";
    }
    this.show(text);
    this.ctx.download(`scry-graph.${format}`, text, format === "json" ? "application/json" : "text/csv");
    this.ctx.toast(`${nodes.length} nodes exported as ${format.toUpperCase()}`);
  }

  // The picture of the selection (or of everything visible) as a
  // standalone SVG: every style is an attribute, so it renders anywhere.
  pictureSvg() {
    const { nodes } = this.pick();
    const ids = new Set(nodes.map((n) => n.id));
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const n of nodes) { x0 = Math.min(x0, n.x); y0 = Math.min(y0, n.y); x1 = Math.max(x1, n.x); y1 = Math.max(y1, n.y); }
    const pad = 40;
    const w = Math.ceil(x1 - x0 + 2 * pad + 160), h = Math.ceil(y1 - y0 + 2 * pad);
    const out = svg("svg", { xmlns: SVGNS, width: w, height: h, viewBox: `${x0 - pad} ${y0 - pad} ${w} ${h}`, "font-family": "DejaVu Sans, sans-serif" });
    out.append(svg("rect", { x: x0 - pad, y: y0 - pad, width: w, height: h, fill: "#ffffff" }));
    for (const line of this.edgeLayer.children) out.append(line.cloneNode(true));
    for (const g of this.nodeLayer.children) if (ids.has(g.dataset.id)) out.append(g.cloneNode(true));
    return { text: new XMLSerializer().serializeToString(out), w, h };
  }

  exportPicture(format) {
    if (!this.nodes.size) return this.ctx.toast("Nothing to export", true);
    const { text, w, h } = this.pictureSvg();
    if (format === "svg") {
      this.show(text.slice(0, 2000) + (text.length > 2000 ? "\n…" : ""));
      this.ctx.download("scry-graph.svg", text, "image/svg+xml");
      return;
    }
    const img = new Image();
    const url = URL.createObjectURL(new Blob([text], { type: "image/svg+xml" }));
    img.onload = () => {
      const scale = 2;
      const c = document.createElement("canvas");
      c.width = w * scale; c.height = h * scale;
      const g = c.getContext("2d");
      g.scale(scale, scale);
      g.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      c.toBlob((blob) => {
        if (!blob) return this.ctx.toast("PNG export failed", true);
        this.show(`PNG ${c.width}×${c.height}, ${blob.size} bytes`);
        this.ctx.download("scry-graph.png", blob, "image/png");
      }, "image/png");
    };
    img.onerror = () => { URL.revokeObjectURL(url); this.ctx.toast("PNG export failed", true); };
    img.src = url;
  }

  async blocklist(format) {
    const domains = this.pick().nodes.filter((n) => n.type === "domain").map((n) => n.label);
    if (!domains.length) return this.ctx.toast("No domains in the selection", true);
    try {
      const text = await this.ctx.api(`/api/v1/export/${format}`, { method: "POST", json: { domains }, text: true });
      this.show(text);
      this.ctx.download(format === "rpz" ? "scry-graph.rpz" : "scry-graph.txt", text, "text/plain");
      this.ctx.toast(`${domains.length} domains sent to the ${format === "rpz" ? "RPZ zone" : "list"}`);
    } catch (e) { this.ctx.toast(e.message, true); }
  }
}
