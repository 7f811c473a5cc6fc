// The review console: queues of low-confidence attributes and knowledge assertions; approve / reject / edit / bulk.
"use strict";

const rv = { token: sessionStorage.getItem("sm-token") || "", kind: "attribute", status: "pending", items: [] };
const el = (id) => document.getElementById(id);
const auth = () => ({ Authorization: `Bearer ${rv.token}` });

function fmt(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

async function loadCounts() {
  const counts = await api("GET", "/api/review/counts", undefined, auth());
  for (const kind of ["attribute", "assertion", "explanation"]) {
    el(`n-${kind}`).textContent = ((counts[kind] || {}).pending) || 0;
  }
}

let loadSeq = 0;  // a newer load (another tab, another filter) wins over a slower, older one

async function load() {
  const seq = ++loadSeq;
  const rows = el("rows");
  if (!rv.token) {
    rows.replaceChildren(h("tr", {}, h("td", { colspan: 7, class: "muted" }, "Enter the API token to open the queues.")));
    return;
  }
  try {
    const qs = new URLSearchParams({ kind: rv.kind, status: rv.status, limit: "200" });
    const items = await api("GET", `/api/review/items?${qs}`, undefined, auth());
    if (seq !== loadSeq) return;
    rv.items = items;
    await loadCounts();
  } catch (e) {
    if (seq !== loadSeq) return;
    rows.replaceChildren(h("tr", {}, h("td", { colspan: 7, class: "muted" }, e.message)));
    if (e.status === 401 || e.status === 403) toast("That token was not accepted.", "err");
    return;
  }
  el("select-all").checked = false;
  el("queue-note").textContent = `${rv.items.length} item(s)`;
  rows.replaceChildren(...(rv.items.length ? rv.items.map(row)
    : [h("tr", {}, h("td", { colspan: 7, class: "muted" }, "Nothing to review here."))]));
}

function row(item) {
  const prov = item.provenance || {};
  const decided = item.status !== "pending";
  const valueCell = h("td", {},
    h("code", { "data-testid": "value" }, fmt(item.decided_value ?? item.value)),
    decided && item.decided_value !== null && fmt(item.decided_value) !== fmt(item.value)
      ? h("div", { class: "muted" }, "was: ", fmt(item.value)) : null);
  const tr = h("tr", { "data-testid": "review-row", dataset: { id: item.id } },
    h("td", {}, h("input", { type: "checkbox", class: "pick", value: item.id, disabled: decided })),
    h("td", {}, h("b", {}, item.subject), h("div", { class: "muted" }, item.ref),
      h("p", { class: "evidence", "data-testid": "evidence" }, item.evidence),
      prov.model ? h("div", { class: "muted" }, `${prov.model} · ${prov.prompt || ""}`) : null),
    valueCell,
    h("td", {}, item.confidence.toFixed(2), h("div", { class: "conf" }, h("i", { style: `width:${Math.round(item.confidence * 100)}%` }))),
    h("td", { class: "muted" }, item.reason),
    h("td", {}, h("span", { class: `status ${item.status}`, "data-testid": "status" }, item.status)),
    h("td", {}, decided ? h("span", { class: "muted" }, item.reviewer ? `by ${item.reviewer}` : "") : h("div", { class: "actions" },
      h("button", { type: "button", class: "small", "data-testid": "approve", onclick: () => decide(item.id, "approve") }, "Approve"),
      h("button", { type: "button", class: "small danger", "data-testid": "reject", onclick: () => decide(item.id, "reject") }, "Reject"),
      h("button", { type: "button", class: "small ghost", "data-testid": "edit", onclick: () => startEdit(tr, valueCell, item) }, "Edit"))));
  return tr;
}

function startEdit(tr, cell, item) {
  const box = h("textarea", { rows: 3, "data-testid": "edit-value" }, fmt(item.value));
  cell.replaceChildren(h("div", { class: "edit-box" }, box,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "small", "data-testid": "edit-save", onclick: async () => {
        let value = box.value.trim();
        try { value = JSON.parse(value); } catch (e) { /* plain text stays a string */ }
        await decide(item.id, "edit", { value });
      } }, "Save"),
      h("button", { type: "button", class: "small ghost", onclick: load }, "Cancel"))));
  box.focus();
}

async function decide(id, decision, body) {
  try {
    await api("POST", `/api/review/items/${id}/${decision}`, body || {}, auth());
    toast(`Item ${id}: ${decision === "edit" ? "corrected" : decision + "d"}`, "ok");
    await load();
  } catch (e) { toast(e.message, "err"); }
}

async function bulk(decision) {
  const ids = [...document.querySelectorAll(".pick:checked")].map((c) => Number(c.value));
  if (!ids.length) { toast("Select some items first."); return; }
  try {
    await api("POST", "/api/review/bulk", { ids, decision }, auth());
    toast(`${ids.length} item(s) ${decision}d`, "ok");
    await load();
  } catch (e) { toast(e.message, "err"); }
}

document.addEventListener("DOMContentLoaded", () => {
  el("token-input").value = rv.token;
  el("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    rv.token = el("token-input").value.trim();
    sessionStorage.setItem("sm-token", rv.token);
    load();
  });
  for (const b of document.querySelectorAll("#tabs button")) {
    b.addEventListener("click", () => {
      rv.kind = b.dataset.kind;
      for (const x of document.querySelectorAll("#tabs button")) x.classList.toggle("active", x === b);
      load();
    });
  }
  el("status-select").addEventListener("change", (ev) => { rv.status = ev.target.value; load(); });
  el("select-all").addEventListener("change", (ev) => {
    for (const c of document.querySelectorAll(".pick:not(:disabled)")) c.checked = ev.target.checked;
  });
  el("bulk-approve").addEventListener("click", () => bulk("approve"));
  el("bulk-reject").addEventListener("click", () => bulk("reject"));
  load().then(() => { document.body.dataset.ready = "1"; });
});
