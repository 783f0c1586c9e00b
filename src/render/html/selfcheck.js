(function () {
  var root = document.documentElement, errors = [];
  function note(text) { errors.push(String(text)); root.setAttribute("data-errors", errors.join(" | ")); }
  window.addEventListener("error", function (e) {
    note(e.message || ("cannot load " + ((e.target && (e.target.src || e.target.href)) || "a resource")));
  }, true);
  document.addEventListener("securitypolicyviolation", function (e) {
    note("blocked " + e.blockedURI + " (" + e.violatedDirective + ")");
  });
  document.addEventListener("DOMContentLoaded", function () {
    root.setAttribute("data-charts", String(document.querySelectorAll("svg.chart").length));
  });
})();
