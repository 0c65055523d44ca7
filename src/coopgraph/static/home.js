// The query editor of `coopgraph serve`: YASGUI on this server's endpoint, and a picker that puts a
// query of the library (its parameters bound by the server, as `coopgraph query` binds them) into it.
(function () {
  "use strict";

  var endpoint = new URL("/sparql", window.location.href).href;
  // Only completers that work offline: the "class" and "property" completers ask lov.linkeddata.es.
  var OFFLINE_COMPLETERS = ["prefixes", "variables"];
  var REMOTE_COMPLETERS = ["class", "property"];

  if (window.Yasgui && Yasgui.Yasqe && Yasgui.Yasqe.defaults) {
    Yasgui.Yasqe.defaults.autocompleters = OFFLINE_COMPLETERS.slice();
  }

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    populateFromUrl: false,
    persistenceId: null,
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; },
      keys: [],
      renderItem: function (data, source) {
        var item = document.createElement("div");
        item.textContent = data.value.endpoint;
        source.appendChild(item);
      },
    },
    yasr: { defaultPlugin: "table", pluginOrder: ["table", "response"] },
  });

  window.coopgraph = { yasgui: yasgui };  // for the console (and the tests)

  function offline(tab) {
    var yasqe = tab && tab.getYasqe && tab.getYasqe();
    if (!yasqe) return;
    REMOTE_COMPLETERS.forEach(function (name) {
      if (yasqe.config.autocompleters.indexOf(name) >= 0) yasqe.disableCompleter(name);
    });
  }
  Object.keys(yasgui._tabs || {}).forEach(function (id) { offline(yasgui.getTab(id)); });
  yasgui.on("tabAdd", function (instance, id) { offline(instance.getTab(id)); });
  yasgui.on("tabSelect", function (instance, id) { offline(instance.getTab(id)); });

  document.getElementById("endpoint-url").textContent = endpoint;

  var picker = document.getElementById("picker");
  var select = document.getElementById("query-name");
  var paramsBox = document.getElementById("query-params");
  var summary = document.getElementById("query-summary");
  var problem = document.getElementById("picker-error");
  var library = {};

  function showParams(query) {
    paramsBox.textContent = "";
    summary.textContent = query ? query.summary : "";
    if (!query) return;
    query.params.forEach(function (param) {
      var label = document.createElement("label");
      label.textContent = param.name + (param.required ? " *" : "") + " ";
      var input = document.createElement("input");
      input.name = param.name;
      input.dataset.param = param.name;
      input.required = param.required;
      input.placeholder = param.default !== null ? param.default : param.type;
      input.title = param.type + ": " + param.help;
      input.size = 14;
      label.appendChild(input);
      paramsBox.appendChild(label);
    });
  }

  function boundText() {
    var query = library[select.value];
    if (!query) return Promise.reject(new Error("pick a query first"));
    var search = new URLSearchParams();
    paramsBox.querySelectorAll("input[data-param]").forEach(function (input) {
      if (input.value !== "") search.append(input.dataset.param, input.value);
    });
    var url = "/queries/" + encodeURIComponent(query.name) + ".rq" + (search.toString() ? "?" + search : "");
    return fetch(url, { headers: { Accept: "application/sparql-query" } }).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) throw new Error(text.trim());
        return text;
      });
    });
  }

  function load() {
    problem.textContent = "";
    return boundText().then(function (text) {
      var tab = yasgui.getTab();
      tab.setQuery(text);
      return tab;
    }).catch(function (error) {
      problem.textContent = error.message;
      return null;
    });
  }

  picker.addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });
  document.getElementById("run-query").addEventListener("click", function () {
    load().then(function (tab) { if (tab) tab.query(); });
  });
  select.addEventListener("change", function () { showParams(library[select.value]); });

  fetch("/queries", { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (listing) {
      select.textContent = "";
      var none = document.createElement("option");
      none.value = "";
      none.textContent = "(choose one)";
      select.appendChild(none);
      listing.queries.forEach(function (query) {
        library[query.name] = query;
        var option = document.createElement("option");
        option.value = query.name;
        option.textContent = query.name;
        option.title = query.summary;
        select.appendChild(option);
      });
      document.body.dataset.ready = "true";
    })
    .catch(function (error) { problem.textContent = "cannot read the query library: " + error.message; });
})();
