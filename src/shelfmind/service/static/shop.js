// The storefront: search -> themed results, demo-user switch, "tell us about yourself", product page, cart + recipe.
"use strict";

const state = {
  user: sessionStorage.getItem("sm-user") || "",
  users: [],
  query: "",
  cart: JSON.parse(localStorage.getItem("sm-cart") || "[]"),
};
const SUGGESTIONS = ["pasta night", "movie night snacks", "healthy breakfast", "spaghetti", "chocolate", "cheese",
  "coffee", "salsa", "soup", "organic juice"];
const $ = (id) => document.getElementById(id);

function show(view) {
  for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== view;
}

// ---- cart ------------------------------------------------------------------------------------------
function saveCart() {
  localStorage.setItem("sm-cart", JSON.stringify(state.cart));
  renderCart();
}
function addToCart(p) {
  if (!state.cart.find((c) => c.id === p.id)) state.cart.push({ id: p.id, name: p.name, price: p.price });
  saveCart();
  toast(`Added ${p.name} to your cart`, "ok");
}
function renderCart() {
  $("cart-count").textContent = state.cart.length;
  const list = $("cart-items");
  list.replaceChildren(...state.cart.map((c) => h("li", { "data-testid": "cart-item" },
    h("span", { class: "cart-emoji" }, emojiFor(c.name)), h("span", { class: "grow" }, c.name),
    h("b", {}, money(c.price)),
    h("button", { type: "button", class: "link", "aria-label": "Remove", onclick: () => {
      state.cart = state.cart.filter((x) => x.id !== c.id); saveCart(); } }, "✕"))));
  if (!state.cart.length) list.append(h("li", { class: "muted" }, "Your cart is empty."));
  $("cart-total").textContent = money(state.cart.reduce((s, c) => s + (c.price || 0), 0));
}
async function suggestRecipe() {
  const box = $("recipe");
  if (!state.cart.length) { box.replaceChildren(h("p", { class: "muted" }, "Add something to your cart first.")); return; }
  box.replaceChildren(h("p", { class: "muted" }, "Thinking of a recipe…"));
  try {
    const r = await api("POST", "/api/recipe", { product_ids: state.cart.map((c) => c.id), user_id: state.user || null });
    box.replaceChildren(h("div", { class: "recipe-card" },
      h("h3", {}, r.name), r.explanation ? h("p", { class: "muted" }, r.explanation) : null,
      h("h4", {}, "Ingredients"),
      h("ul", { class: "ingredients" }, r.ingredients.map((i) => h("li", { class: i.in_cart ? "have" : "" },
        i.in_cart ? "✔ " : "○ ", i.name, i.price ? h("span", { class: "muted" }, " · ", money(i.price)) : null))),
      r.missing.length ? h("div", { class: "missing" }, h("h4", {}, "Complete the recipe"),
        r.missing.map((p) => h("div", { class: "mini" }, h("span", {}, emojiFor(p.name), " ", p.name),
          h("button", { type: "button", class: "small", onclick: () => addToCart(p) }, "Add ", money(p.price))))) : null,
      r.steps.length ? h("ol", { class: "steps" }, r.steps.map((s) => h("li", {}, s))) : null));
  } catch (e) {
    box.replaceChildren(h("p", { class: "muted" }, e.message));
  }
}

// ---- product cards and results -----------------------------------------------------------------------
function card(p) {
  return h("article", { class: "card", "data-testid": "product-card", dataset: { id: p.id } },
    h("a", { class: "tile", href: `#/product/${encodeURIComponent(p.id)}`, style: `background:${tint(p.id)}` },
      h("span", {}, emojiFor(p.name))),
    h("a", { class: "name", href: `#/product/${encodeURIComponent(p.id)}` }, p.name),
    p.explanation ? h("p", { class: "why", "data-testid": "explanation" }, p.explanation) : null,
    h("div", { class: "buy" }, h("span", { class: "price" }, money(p.price)),
      p.in_stock === false ? h("span", { class: "muted" }, "out of stock")
        : h("button", { type: "button", class: "small", onclick: () => addToCart(p) }, "Add")));
}
function themeRow(t) {
  return h("section", { class: "theme", "data-testid": "theme" },
    h("div", { class: "theme-head" }, h("h2", {}, t.name), t.explanation ? h("p", { class: "muted" }, t.explanation) : null),
    h("div", { class: "row" }, t.products.map(card)));
}
let searchSeq = 0;  // only the latest search may paint the results

async function runSearch(q) {
  const seq = ++searchSeq;
  state.query = q;
  $("search-input").value = q;
  show("view-results");
  $("results-title").textContent = `Results for “${q}”`;
  $("themes").replaceChildren(h("p", { class: "muted" }, "Searching…"));
  $("results-notes").replaceChildren();
  try {
    const r = await api("POST", "/api/recommend", { query: q, user_id: state.user || null });
    if (seq !== searchSeq) return;
    const notes = [];
    if (state.user) {
      const who = state.users.find((u) => u.id === state.user);
      notes.push(h("span", { class: "chip" }, "Personalised for ", who ? who.name.split(" (")[0] : state.user));
    }
    for (const c of r.constraints) notes.push(h("span", { class: "chip constraint", "data-testid": "constraint" }, "✓ ", c));
    if (r.removed_by_constraints) notes.push(h("span", { class: "muted" }, `${r.removed_by_constraints} items hidden for you`));
    $("results-notes").replaceChildren(...notes);
    $("themes").replaceChildren(...(r.themes.length ? r.themes.map(themeRow)
      : [h("p", { class: "empty" }, r.removed_by_constraints
        ? `All ${r.removed_by_constraints} matches conflict with what you told us. Try something else, or forget a statement on the left.`
        : "Nothing found. Try another word, or an occasion such as “pasta night”.")]));
  } catch (e) {
    if (seq === searchSeq) $("themes").replaceChildren(h("p", { class: "empty" }, e.message));
  }
}
async function showProduct(id) {
  show("view-product");
  const view = $("view-product");
  view.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    const p = await api("GET", `/api/products/${encodeURIComponent(id)}`);
    const facts = Object.entries({ ...p.fields, ...p.attributes })
      .filter(([k, v]) => v !== null && v !== "" && k !== "ingredients")
      .map(([k, v]) => h("tr", {}, h("th", {}, k.replace(/_/g, " ")), h("td", {}, Array.isArray(v) ? v.join(", ") : String(v))));
    const groups = [["complement", "Goes well with"], ["pairing", "Pairs nicely with"],
      ["substitute", "Out of stock? Try instead"], ["occasion", "For the same occasion"]];
    view.replaceChildren(
      h("a", { class: "back", href: state.query ? `#/search/${encodeURIComponent(state.query)}` : "#/" }, "← Back to results"),
      h("div", { class: "product" },
        h("div", { class: "big tile", style: `background:${tint(p.id)}` }, h("span", {}, emojiFor(p.name))),
        h("div", { class: "info" }, h("h1", {}, p.name), h("p", { class: "price big-price" }, money(p.price)),
          h("button", { type: "button", class: "primary", onclick: () => addToCart(p) }, "Add to cart"),
          p.fields.ingredients ? h("p", {}, h("b", {}, "Ingredients: "), p.fields.ingredients) : null,
          p.intents.length ? h("p", { class: "muted" }, "Great for: ", p.intents.join(", ")) : null,
          facts.length ? h("table", { class: "facts" }, facts) : null)),
      ...groups.filter(([k]) => (p.relations[k] || []).length).map(([k, title]) =>
        h("section", { class: "theme", "data-testid": `relations-${k}` }, h("div", { class: "theme-head" }, h("h2", {}, title)),
          h("div", { class: "row" }, p.relations[k].map(card)))));
  } catch (e) {
    view.replaceChildren(h("p", { class: "empty" }, e.message));
  }
}

// ---- shoppers ----------------------------------------------------------------------------------------
async function loadUsers() {
  try { state.users = await api("GET", "/api/users"); } catch (e) { state.users = []; }
  const sel = $("user-select");
  sel.replaceChildren(h("option", { value: "" }, "Guest"),
    ...state.users.map((u) => h("option", { value: u.id }, u.name)));
  if (!state.users.find((u) => u.id === state.user)) state.user = "";
  sel.value = state.user;
}
async function switchUser(id) {
  state.user = id;
  sessionStorage.setItem("sm-user", id);
  if (id) {
    try { await api("POST", "/api/session", { user_id: id }); } catch (e) { toast(e.message, "err"); }
  }
  await renderProfile();
  if (state.query) await runSearch(state.query);
}
async function renderProfile() {
  const about = $("about");
  if (!state.user) {
    $("profile-title").textContent = "Welcome!";
    $("profile-desc").textContent = "Pick a demo shopper above to see personalised results.";
    $("persona-bars").replaceChildren();
    about.hidden = true;
    return;
  }
  const u = await api("GET", `/api/users/${encodeURIComponent(state.user)}`);
  const [first, ...rest] = u.name.split(" (");
  $("profile-title").textContent = `Hi ${first}!`;
  $("profile-desc").textContent = u.description || (rest.length ? rest.join(" (").replace(/\)$/, "") : "");
  $("persona-bars").replaceChildren(h("h3", {}, "Your shopping style"),
    ...Object.entries(u.personas).sort((a, b) => b[1] - a[1]).map(([name, w]) => h("div", { class: "persona" },
      h("span", {}, name), h("div", { class: "bar" }, h("i", { style: `width:${Math.round(w * 100)}%` })))));
  about.hidden = false;
  $("statements").replaceChildren(...u.statements.map((s) => h("li", { "data-testid": "statement" },
    h("span", { class: "grow" }, "“", s.text, "”",
      [...s.constraints, ...s.preferences].length ? h("small", { class: "muted" }, " → ", [...s.constraints, ...s.preferences].join(", ")) : null),
    h("button", { type: "button", class: "link", "aria-label": "Forget this", onclick: () => forget(s.id) }, "✕"))));
}
async function tellUs(ev) {
  ev.preventDefault();
  const text = $("statement-input").value.trim();
  if (!text) return;
  try {
    await api("POST", `/api/users/${encodeURIComponent(state.user)}/statements`, { text });
    $("statement-input").value = "";
    toast("Thanks! Your results are updated.", "ok");
    await renderProfile();
    if (state.query) await runSearch(state.query);
  } catch (e) { toast(e.message, "err"); }
}
async function forget(sid) {
  try {
    await api("DELETE", `/api/users/${encodeURIComponent(state.user)}/statements/${encodeURIComponent(sid)}`);
    await renderProfile();
    if (state.query) await runSearch(state.query);
  } catch (e) { toast(e.message, "err"); }
}

// ---- routing -----------------------------------------------------------------------------------------
function route() {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash.startsWith("/product/")) showProduct(hash.slice(9));
  else if (hash.startsWith("/search/")) runSearch(hash.slice(8));
  else show("view-home");
}

document.addEventListener("DOMContentLoaded", async () => {
  $("aisles").replaceChildren(...SUGGESTIONS.map((s) => h("a", { href: `#/search/${encodeURIComponent(s)}` }, s)));
  $("search-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = $("search-input").value.trim();
    if (!q) return;
    const target = `#/search/${encodeURIComponent(q)}`;
    if (location.hash === target) runSearch(q); else location.hash = target;
  });
  $("user-select").addEventListener("change", (ev) => switchUser(ev.target.value));
  $("statement-form").addEventListener("submit", tellUs);
  $("cart-button").addEventListener("click", () => { $("cart").hidden = !$("cart").hidden; });
  $("cart-close").addEventListener("click", () => { $("cart").hidden = true; });
  $("recipe-button").addEventListener("click", suggestRecipe);
  window.addEventListener("hashchange", route);
  renderCart();
  await loadUsers();
  if (state.user) await switchUser(state.user); else await renderProfile();
  route();
  document.body.dataset.ready = "1";
});
