/* Client-side helpers of the moderator-kit dashboard (loaded from assets/, so no inline script is needed). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    mk: {
        /* Participants: a click on a person far down the table draws their history in the panel above it; bring
           that panel into view (the sticky bars are left clear by its scroll-margin-top). */
        showHistory: function (handle) {
            if (handle) {
                var panel = document.getElementById("part-history-section");
                if (panel) {
                    panel.scrollIntoView({behavior: "auto", block: "start"});
                }
            }
            return window.dash_clientside.no_update;
        },

        /* Keep the address bar's query equal to the picker's selection without reloading the page, so a reload
           or a copied link opens the same selection. history.replaceState fires no event: the page stays. */
        replaceQuery: function (selection) {
            var noUpdate = window.dash_clientside.no_update;
            if (!selection || typeof selection.query !== "string") {
                return noUpdate;
            }
            var query = selection.query;
            if (window.location.search !== query) {
                window.history.replaceState(window.history.state, "",
                    window.location.pathname + query + window.location.hash);
            }
            return query;
        },

        /* Check an upload in the browser before it is sent: a file over the limit never leaves the machine and the
           page says why. Returns [accepted file for the server or null, message, message class]. */
        checkArchive: function (contents, filename, limit) {
            return window.dash_clientside.mk._check(contents, filename, limit, "Archive");
        },
        checkConfig: function (contents, filename, limit) {
            return window.dash_clientside.mk._check(contents, filename, limit, "Config");
        },
        _check: function (contents, filename, limit, label) {
            var noUpdate = window.dash_clientside.no_update;
            if (!contents || !filename) {
                return [noUpdate, noUpdate, noUpdate];
            }
            var comma = contents.indexOf(",");
            var payload = comma >= 0 ? contents.slice(comma + 1) : contents;
            var padding = payload.endsWith("==") ? 2 : (payload.endsWith("=") ? 1 : 0);
            var size = Math.max(0, Math.floor(payload.length * 3 / 4) - padding);
            var mib = function (n) { return (n / 1048576).toFixed(n < 1048576 ? 2 : 1) + " MiB"; };
            if (limit && size > limit) {
                return [null, filename + " is " + mib(size) + ": larger than the " + mib(limit) +
                        " upload limit. Put the file under the workspace folder and choose it below instead.",
                        "mk-note mk-note--error"];
            }
            if (size === 0) {
                return [null, filename + " is empty.", "mk-note mk-note--error"];
            }
            return [{name: filename, contents: contents, size: size},
                    label + ": " + filename + " (" + mib(size) + ") ready.", "mk-note mk-note--ok"];
        }
    }
});
