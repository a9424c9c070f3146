"""Never finishes importing."""
# kata: consistent-hash-ring
# base: none
# expect: timeout
# score: 0
# time-limit: 8
while True:
    pass
