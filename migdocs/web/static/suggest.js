// Autocomplete for the search box: fills the <datalist> from /api/suggest as you type.
// A progressive enhancement: without JavaScript the box and the form work the same.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) { return; }
  var timer = null, last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var text = input.value.trim();
      if (text.length < 2 || text === last) { return; }
      last = text;
      fetch("/api/suggest?q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
        .then(function (data) {
          if (input.value.trim() !== text) { return; }
          list.textContent = "";
          data.suggestions.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.value;          // textContent / value: never parsed as HTML
            option.label = s.kind;
            list.appendChild(option);
          });
        })
        .catch(function () { /* offline or server gone: the box still works */ });
    }, 150);
  });
}());
