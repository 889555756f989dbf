-- eightmin.json: JSON text to plain tables and back, through the core's
-- parser and encoder (Lua never parses JSON by hand).
--   json.decode(text) -> value | nil, msg   (JSON null becomes nil)
--   json.encode(value) -> text              (object keys sorted; raises on
--                                            values JSON cannot hold)
local hash = require "eightmin.hash"

return {
  decode = hash.json_decode,
  encode = hash.json_encode,
}
