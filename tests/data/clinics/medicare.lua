-- A clinic script named like a payer: refused, since its rules and
-- arguments would be named medicare.* too.
return { name = "A clinic that calls itself medicare", rules = {} }
