// Shows the dashboard's times in the operator's time zone. Each time arrives as
// <time datetime="…Z">…Z</time> in UTC; this rewrites its text to local time and keeps
// the exact UTC timestamp in its title. Without script the UTC text stays.
(function () {
  "use strict";
  var format;
  try {
    format = new Intl.DateTimeFormat(undefined, {
      year: "numeric", month: "short", day: "numeric",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
      timeZoneName: "short"
    });
  } catch (e) {
    return;
  }
  function local(root) {
    var times = root.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var t = times[i];
      var at = new Date(t.getAttribute("datetime"));
      if (isNaN(at.getTime())) continue;
      t.title = t.getAttribute("datetime");
      t.textContent = format.format(at);
      t.setAttribute("data-local", "");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { local(document); });
  } else {
    local(document);
  }
})();
