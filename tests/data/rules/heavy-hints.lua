-- A clinic whose hint claims a weight far beyond the documented range
-- (1..3): it may count as evidence but never outweigh the documentation.
return {
  name = "Heavy hints clinic (test)",
  hints = { foam = { code = "97110", weight = 1000 } },
}
