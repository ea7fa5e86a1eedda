// The in-page table of contents is a drawer at every width (ffn.css), opened by the list button in the
// article's header. The theme wires its drawer to the top bar's button only, so this one passes its clicks on.
document.addEventListener("DOMContentLoaded", () => {
  const own = document.querySelector(".bd-header-article button.secondary-toggle");
  const wired = document.querySelector(".secondary-toggle");
  if (own && wired && own !== wired) {
    own.addEventListener("click", (event) => {
      event.preventDefault();
      wired.click();
    });
  }
});
