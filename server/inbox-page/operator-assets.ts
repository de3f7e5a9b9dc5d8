// The operators' pages' CSS (activity, case story, outcomes and their SVG charts), added to the inbox's own: served
// with the page under its CSP nonce, no CDN.

export const OPERATOR_CSS = `
nav.tabs { display:flex; gap:4px; margin-left:8px; }
nav.tabs a { color:#c5cbd6; text-decoration:none; padding:4px 10px; border-radius:6px; }
nav.tabs a.current, nav.tabs a:hover { background:#39414f; color:#fff; }
a { color:var(--accent); }
form.filters { display:flex; flex-wrap:wrap; gap:8px 12px; align-items:flex-end; background:#fff; border:1px solid var(--line); border-radius:8px; padding:10px 14px; margin-bottom:16px; }
form.filters label { display:grid; gap:2px; font-size:12px; color:var(--muted); }
form.filters input, form.filters select { width:auto; min-width:130px; }
form.filters label.check { display:flex; gap:6px; align-items:center; font-size:14px; color:var(--fg); }
form.filters label.check input { min-width:0; width:auto; }
.activity .item { display:grid; grid-template-columns: 150px 1fr; gap:4px 16px; padding:10px 16px; border-bottom:1px solid var(--line); }
.activity .item:last-child { border-bottom:0; }
.activity .when { color:var(--muted); font-size:12px; }
.activity .what { display:flex; flex-wrap:wrap; gap:6px; align-items:center; }
.activity .why { grid-column:2; }
.activity .effects { grid-column:2; display:flex; flex-wrap:wrap; gap:4px 14px; font-size:12px; }
.activity .effects .failed { color:var(--bad); font-weight:600; }
.amount { font-weight:600; }
.pager { margin:12px 0; }
.timeline { list-style:none; margin:0; padding:0; }
.timeline li { display:grid; grid-template-columns: 190px 150px 1fr; gap:8px; padding:6px 16px; border-bottom:1px solid var(--line); }
.timeline li:last-child { border-bottom:0; }
.timeline .kind { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.03em; }
.timeline li.k-decision .kind, .timeline li.k-guard .kind { color:var(--accent); }
.timeline li.k-stripe .kind { color:var(--ok); }
.timeline li.k-stripe_error .kind, .timeline li.k-error .kind { color:var(--bad); }
.timeline li.k-approval_requested .kind, .timeline li.k-approval_answered .kind { color:var(--warn); }
pre.mail { white-space:pre-wrap; background:#fafbfc; border:1px solid var(--line); border-radius:6px; padding:8px 10px; margin:4px 0 0; font-family:inherit; font-size:13px; }
.summary { display:flex; flex-wrap:wrap; gap:8px 24px; padding:12px 16px; }
.summary div { display:grid; }
.summary .label { font-size:12px; color:var(--muted); }
.grid2 { display:grid; grid-template-columns: 1fr 1fr; gap:16px; }
@media (max-width: 980px) { .grid2 { grid-template-columns: 1fr; } }
.panel { background:#fff; border:1px solid var(--line); border-radius:8px; padding:12px 16px; margin-bottom:16px; }
.panel h3 { margin:0 0 4px; font-size:14px; }
.panel .note { color:var(--muted); font-size:12px; margin:0 0 8px; }
figure.chart { margin:0; }
figure.chart figcaption { font-size:12px; color:var(--muted); margin-bottom:4px; }
svg .grid { stroke:#eceff3; stroke-width:1; }
svg .baseline { stroke:#9aa3b2; stroke-width:1; }
svg text.axis { fill:#5d6678; font-size:11px; font-family: system-ui, sans-serif; }
svg .bar:hover { opacity:.8; }
.s-failed { fill:#e8590c; background:#e8590c; }
.s-recovered { fill:#2b8a3e; background:#2b8a3e; }
.s-rate { fill:#3b5bdb; background:#3b5bdb; }
.s-count { fill:#5c7cfa; background:#5c7cfa; }
.s-answer { fill:#f08c00; background:#f08c00; }
.s-calls { fill:#7048e8; background:#7048e8; }
.s-tokens { fill:#ae3ec9; background:#ae3ec9; }
.s-fallbacks { fill:#c92a2a; background:#c92a2a; }
.legend { display:flex; gap:14px; font-size:12px; color:var(--muted); margin-top:2px; }
.legend .swatch { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:5px; vertical-align:-1px; }
table.figures { margin-top:8px; font-size:12px; }
table.figures td:not(:first-child), table.figures th:not(:first-child) { text-align:right; }
.period { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin-bottom:12px; }
.period a { padding:3px 10px; border:1px solid var(--line); border-radius:14px; background:#fff; text-decoration:none; }
.period a.current { background:var(--accent); color:#fff; border-color:var(--accent); }
`;
