"""The QR codec's word model (`zh_words_v1.xz`), read by `fieldvisit.sync.textmodel`: a package so setuptools ships it."""
