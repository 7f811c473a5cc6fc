// Small helpers shared by the storefront and the review console. No framework, no build step.
"use strict";

// h("div", {class: "x", onclick: fn}, child, "text") -> element. Text is always set as text (no HTML injection).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function api(method, path, body, headers) {
  const opts = { method, headers: Object.assign({ Accept: "application/json" }, headers || {}), credentials: "same-origin" };
  if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  let res = await fetch(path, opts);
  for (let i = 0; res.status === 202 && i < 60; i++) {  // still being written (an LLM at work): ask again
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get("Retry-After") || 5)));
    res = await fetch(path, opts);
  }
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const msg = (data && data.error && data.error.message) || `${res.status} ${res.statusText}`;
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return data;
}

function money(v) {
  return v === null || v === undefined ? "" : "$" + Number(v).toFixed(2);
}

let toastTimer = null;
function toast(text, kind) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.textContent = text;
  el.className = "toast " + (kind || "");
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 3500);
}

// A product "photo": an emoji on a tinted tile, chosen from the product name.
const EMOJI = [
  [/spaghetti|pasta|penne|macaroni|noodle|lasagna|linguine/, "🍝"], [/pizza/, "🍕"], [/rice|risotto/, "🍚"],
  [/cheese|parmesan|mozzarella|cheddar/, "🧀"], [/milk|cream|yogurt/, "🥛"], [/butter/, "🧈"], [/egg/, "🥚"],
  [/chocolate|cocoa|brownie/, "🍫"], [/candy|gumm|caramel/, "🍬"], [/cookie|biscuit/, "🍪"], [/cake|muffin|pie/, "🍰"],
  [/ice cream|frozen dessert/, "🍨"], [/popcorn/, "🍿"], [/chip|crisp|tortilla/, "🥔"], [/cracker|pretzel/, "🥨"],
  [/bread|bagel|bun|roll/, "🍞"], [/cereal|granola|oat/, "🥣"], [/pancake|waffle/, "🥞"], [/honey/, "🍯"],
  [/coffee/, "☕"], [/tea\b/, "🍵"], [/wine/, "🍷"], [/beer|ale|lager/, "🍺"], [/juice|smoothie|lemonade/, "🧃"],
  [/soda|cola|drink|water/, "🥤"], [/chicken|turkey/, "🍗"], [/beef|steak|burger/, "🥩"], [/bacon|ham|pork|sausage/, "🥓"],
  [/salmon|tuna|fish|shrimp|seafood/, "🐟"], [/salsa|pepper|chili|hot sauce/, "🌶️"], [/tomato|marinara/, "🍅"],
  [/sauce|dressing|ketchup|mustard|mayo/, "🥫"], [/soup|broth/, "🍲"], [/apple/, "🍎"], [/banana/, "🍌"],
  [/berry|strawberr|blueberr|cherry/, "🍓"], [/orange|citrus|lemon/, "🍊"], [/mango|peach|fruit/, "🥭"],
  [/peanut|almond|nut|cashew/, "🥜"], [/bean|lentil|hummus|chickpea/, "🫘"], [/oil|olive/, "🫒"], [/corn/, "🌽"],
  [/potato/, "🥔"], [/carrot|vegg|salad|spinach/, "🥗"], [/garlic|onion/, "🧄"], [/spice|seasoning|salt|herb/, "🧂"],
  [/tofu|soy/, "🍱"], [/baby/, "🍼"], [/bar\b|bars\b|protein/, "🍫"],
];
// Without a colour emoji font (some headless machines) a monogram replaces the emoji, never a tofu box.
const HAS_EMOJI = (() => {
  try {
    const c = document.createElement("canvas");
    c.width = c.height = 20;
    const ctx = c.getContext("2d");
    ctx.font = "16px sans-serif";
    ctx.fillText("🍝", 0, 16);
    const d = ctx.getImageData(0, 0, 20, 20).data;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && (Math.abs(d[i] - d[i + 1]) > 20 || Math.abs(d[i + 1] - d[i + 2]) > 20)) return true;
    }
  } catch (e) { /* fall through */ }
  return false;
})();
function monogram(name) {
  const words = (name || "?").replace(/[^A-Za-z0-9 ]/g, " ").split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((w) => w[0].toUpperCase()).join("") || "?";
}
function emojiFor(name) {
  const n = (name || "").toLowerCase();
  if (!HAS_EMOJI) return monogram(name);
  for (const [re, e] of EMOJI) if (re.test(n)) return e;
  return "🛍️";
}
function tint(id) {
  let x = 0;
  for (const ch of String(id)) x = (x * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${x}, 70%, 93%)`;
}
