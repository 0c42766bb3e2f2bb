// The network map (/reseau/carte/): draws one marker per structure from /reseau/structures.geojson.
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

  fetch(data.geojsonUrl, { headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error(response.status);
      }
      return response.json();
    })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        pointToLayer: function (feature, latlng) {
          // alt and title give the marker (a focusable image) an accessible name.
          return L.marker(latlng, { alt: feature.properties.name, title: feature.properties.name });
        },
        onEachFeature: function (feature, marker) {
          marker.bindPopup(popupContent(feature.properties));
        },
      }).addTo(map);
      if (collection.features.length) {
        map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 9 });
      }
      element.dataset.loaded = "true";
    })
    .catch(function () {
      if (status) {
        status.textContent = data.errorMessage;
      }
    });
})();
