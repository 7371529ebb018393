// The check-in pages (volunteering/staff/checkin.html, assemblies/checkin.html): filter as
// you type, scan QR codes.
(function () {
    "use strict";
    function fold(text) {
        return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    }

    // Filter the names as you type (the GET form works without this).
    var search = document.getElementById("q");
    var people = Array.prototype.slice.call(document.querySelectorAll("[data-name]"));
    var noMatch = document.getElementById("no-match");
    if (search && people.length) {
        search.addEventListener("input", function () {
            var wanted = fold(search.value.trim());
            var shown = 0;
            people.forEach(function (item) {
                var match = !wanted || item.getAttribute("data-name").indexOf(wanted) !== -1;
                item.hidden = !match;
                if (match) { shown += 1; }
            });
            if (noMatch) { noMatch.hidden = shown > 0; }
        });
    }

    // Scan the QR code with the camera where the browser can read barcodes.
    var start = document.getElementById("scan-start");
    if (!start || !("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        return;
    }
    var form = document.getElementById("code-form");
    var input = form.querySelector("input[name=code]");
    var scanner = document.getElementById("scanner");
    var video = document.getElementById("scan-video");
    var stopButton = document.getElementById("scan-stop");
    var status = document.getElementById("scan-status");
    var stream = null;
    var running = false;

    function stop() {
        running = false;
        if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
        stream = null;
        scanner.hidden = true;
    }

    // A QR code holds a link (https://…/code/K7MQX4/); earlier ones a bare code. The field
    // shows the code itself, as staff would have typed it; the server reads both forms.
    function codeFrom(value) {
        var found = /\/code\/([^\/?#]+)/.exec(value);
        if (!found) { return value; }
        try { return decodeURIComponent(found[1]); } catch (error) { return found[1]; }
    }

    function submit(value) {
        input.value = codeFrom(value);
        stop();
        if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }

    Promise.resolve(
        window.BarcodeDetector.getSupportedFormats ? window.BarcodeDetector.getSupportedFormats() : ["qr_code"]
    ).then(function (formats) {
        if (formats.indexOf("qr_code") === -1) { return; }
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        start.hidden = false;
        stopButton.addEventListener("click", stop);
        start.addEventListener("click", function () {
            navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
                .then(function (media) {
                    stream = media;
                    video.srcObject = media;
                    scanner.hidden = false;
                    running = true;
                    return video.play().then(function () {
                        (function tick() {
                            if (!running) { return; }
                            detector.detect(video).then(function (codes) {
                                if (codes.length && codes[0].rawValue) { submit(codes[0].rawValue); }
                                else { window.setTimeout(tick, 250); }
                            }).catch(function () { window.setTimeout(tick, 500); });
                        })();
                    });
                })
                .catch(function () {
                    stop();
                    status.textContent = status.getAttribute("data-no-camera");
                });
        });
    }).catch(function () {});
})();
