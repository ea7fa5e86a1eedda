// The edition switcher: a button in the article's header leading to the same page in the other language.
// The address comes from the page's <link rel="alternate" hreflang data-ffn-edition> (book/_ext/edition.py).
document.addEventListener("DOMContentLoaded", () => {
  const alt = document.querySelector("link[data-ffn-edition]");
  if (!alt) return;
  const a = document.createElement("a");
  a.className = "btn btn-sm ffn-edition-switch";
  a.href = alt.getAttribute("href") + window.location.hash;
  a.hreflang = alt.hreflang;
  a.lang = alt.hreflang;
  a.textContent = alt.title;
  a.title = alt.hreflang.startsWith("zh") ? "本页的简体中文版" : "This page in English";
  const where = document.querySelector(".article-header-buttons") || document.querySelector(".bd-article");
  if (where) where.prepend(a);
});
