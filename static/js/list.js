// Progressive enhancement only: the list page works the same without JavaScript.
// On a phone the filters start folded, so the results are the first thing below the search box.
(function () {
  var panel = document.getElementById("filters-panel");
  if (panel && window.matchMedia("(max-width: 47.99em)").matches) {
    panel.removeAttribute("open");
  }
})();
