"""QR code images and printable poster PDFs."""
