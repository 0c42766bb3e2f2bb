// The network map (/reseau/carte/): draws one marker per structure from /reseau/structures.geojson and
// shades the départements those structures cover, from the vendored outlines (static/vendor/natural-earth).
// No inline script on the page (CSP): settings and French strings come from the map's data-* attributes.
(function () {
  "use strict";

  var element = document.getElementById("network-map");
  if (!element || typeof L === "undefined") {
    return;
  }
  var status = document.querySelector("[data-map-status]");
  var data = element.dataset;

  // Metropolitan France; fitted to the markers once they are loaded.
  var map = L.map(element, { scrollWheelZoom: false }).setView([46.6, 2.4], 5);
  // Tiles may be unreachable (offline, blocked): the markers and the list below still work.
  L.tileLayer(data.tileUrl, { maxZoom: 18, attribution: data.tileAttribution }).addTo(map);

  function popupContent(properties) {
    // Built with DOM nodes, not HTML strings: names come from the database.
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = properties.url;
    link.textContent = properties.name;
    var title = document.createElement("strong");
    title.appendChild(link);
    box.appendChild(title);
    var phase = document.createElement("p");
    phase.textContent = data.phasePrefix + " " + properties.phase_label;
    box.appendChild(phase);
    if (properties.departements.length) {
      var departements = document.createElement("p");
      departements.textContent = data.departementsPrefix + " " + properties.departements.join(", ");
      box.appendChild(departements);
    }
    return box;
  }

  function getJson(url) {
    return fetch(url, { headers: { Accept: "application/geo+json" } }).then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    });
  }

  // Département code → names of the structures covering it, in the feed's order (by name).
  function coverage(collection) {
    var covered = {};
    collection.features.forEach(function (feature) {
      feature.properties.departements.forEach(function (code) {
        (covered[code] = covered[code] || []).push(feature.properties.name);
      });
    });
    return covered;
  }

  function tooltipContent(properties, structures) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = properties.name + " (" + properties.code + ")";
    box.appendChild(title);
    var names = document.createElement("p");
    names.textContent = data.coveredByPrefix + " " + structures.join(", ");
    box.appendChild(names);
    return box;
  }

  // Only the covered départements are drawn. The outlines sit in the overlay pane, under the marker
  // pane: they never hide a marker. Colours come from network.css (class below), not from here.
  function shadeDepartements(outlines, covered) {
    return L.geoJSON(outlines, {
      filter: function (feature) {
        return Object.prototype.hasOwnProperty.call(covered, feature.properties.code);
      },
      style: { className: "network-map__departement" },
      attribution: data.outlinesAttribution,
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(tooltipContent(feature.properties, covered[feature.properties.code]), {
          sticky: true,
        });
      },
    }).addTo(map);
  }

  function drawMarkers(collection) {
    return L.geoJSON(collection, {
      pointToLayer: function (feature, latlng) {
        // alt and title give the marker (a focusable image) an accessible name.
        return L.marker(latlng, { alt: feature.properties.name, title: feature.properties.name });
      },
      onEachFeature: function (feature, marker) {
        marker.bindPopup(popupContent(feature.properties));
      },
    }).addTo(map);
  }

  function showStatus(message) {
    if (status) {
      status.textContent = message;
    }
  }

  // Both files are fetched at once. Without the outlines (blocked, not found) the markers and the list
  // still work; without the structures there is nothing to shade.
  var outlinesRequest = getJson(data.outlinesUrl).catch(function () {
    return null;
  });
  Promise.all([getJson(data.geojsonUrl), outlinesRequest])
    .then(function (results) {
      var collection = results[0];
      var outlines = results[1];
      var bounds = L.latLngBounds([]);
      if (outlines) {
        bounds.extend(shadeDepartements(outlines, coverage(collection)).getBounds());
        element.dataset.shaded = "true";
      } else {
        showStatus(data.outlinesErrorMessage);
      }
      bounds.extend(drawMarkers(collection).getBounds());
      // Everything drawn in view: the markers and the départements they cover.
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 9 });
      }
      element.dataset.loaded = "true";
    })
    .catch(function () {
      showStatus(data.errorMessage);
    });
})();
