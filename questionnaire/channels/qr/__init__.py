"""The QR channel: residents scan a code on a poster and answer in WeChat (pages, JSON API, office entry pages)."""
