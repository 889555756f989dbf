-- Clinic settings for the example workflows (csv-to-837p.lua,
-- daily-batch.lua): who bills, who each payer is on an 837P, the fee
-- schedule (whole cents), and how the clinic's EMR export names its CSV
-- columns. A workflow loads it with dofile; it is plain data and one
-- function, subscriber(visit).

-- The patients' home addresses (the EMR's demographics, which its visit
-- export leaves out), by patient id. The patient is the subscriber, and an
-- 837P needs the subscriber's address (2010BA N3, N4).
local addresses = {}
for _, row in ipairs({
  { "P17", "12 Elm St", "Springfield", "IL", "62702" },
  { "P23", "48 Oak Ave", "Springfield", "IL", "62703" },
  { "P31", "7 Birch Rd", "Chatham", "IL", "62629" },
  { "P40", "305 Lake Dr", "Springfield", "IL", "62704" },
  { "P42", "90 Cedar Ln", "Rochester", "IL", "62563" },
  { "P52", "14 Pine St", "Springfield", "IL", "62702" },
  { "P55", "220 Walnut St", "Springfield", "IL", "62701" },
  { "P60", "3 Maple Ct", "Sherman", "IL", "62684" },
  { "P61", "61 Spruce St", "Springfield", "IL", "62703" },
  { "P62", "5 Willow Way", "Riverton", "IL", "62561" },
  { "P70", "18 Aspen Ct", "Springfield", "IL", "62704" },
  { "P71", "402 Hickory St", "Springfield", "IL", "62702" },
  { "P72", "9 Poplar Ave", "Chatham", "IL", "62629" },
  { "P80", "1 Sycamore St", "Springfield", "IL", "62701" },
  { "P81", "2 Sycamore St", "Springfield", "IL", "62701" },
  { "P82", "3 Sycamore St", "Springfield", "IL", "62701" },
  { "P83", "4 Sycamore St", "Springfield", "IL", "62701" },
  { "P84", "5 Sycamore St", "Springfield", "IL", "62701" },
  { "P85", "6 Sycamore St", "Springfield", "IL", "62701" },
}) do
  addresses[row[1]] = { address = row[2], city = row[3], state = row[4], zip = row[5] }
end

return {
  submitter = { name = "Example Physical Therapy", id = "EXPT0001",
                contact = "Billing Office", phone = "5555550100" },
  billing_provider = { name = "Example Physical Therapy LLC", npi = "1234567893",
                       tax_id = "123456789", address = "100 Main St",
                       city = "Springfield", state = "IL", zip = "627011234" },
  -- Rendering providers by NPI (2310B), when not the billing provider.
  providers = { ["1987654328"] = { last = "Rivera", first = "Ana" } },
  interchange = { sender_qualifier = "ZZ", sender_id = "EXPT0001", usage = "T" },
  -- One entry per payer id (the visit's payer, a payer script's file name).
  payers = {
    medicare = { name = "Medicare Part B", id = "00952", receiver_id = "MEDICARE-B",
                 filing = "MB" },
    ["ama-default"] = { name = "Commercial Plan", id = "60054", receiver_id = "COMMERCIAL",
                        filing = "CI" },
    ["acme-health"] = { name = "Acme Health PPO", id = "ACME1", receiver_id = "ACMEHEALTH",
                        filing = "CI" },
  },
  -- Charge per unit, in cents; a code without a fee is billed at 0.
  fees = { ["97110"] = 4500, ["97112"] = 5200, ["97140"] = 4300, ["97530"] = 5500,
           ["97116"] = 4600, ["97010"] = 1000, ["97161"] = 15000 },
  -- The subscriber of a visit that carries no "subscriber" object of its
  -- own (eightmin.x12): here only the address; name and member id default
  -- to the patient id, the date of birth to the patient's.
  subscriber = function(visit)
    return addresses[visit.patient and visit.patient.id]
  end,
  separators = { segment = "~", element = "*", component = ":", repetition = "^" },
  -- The EMR export's column names (eightmin.csv mapping); fields not named
  -- here are read from a column named like the field, when there is one.
  csv = {
    visit_id = "Encounter #", date = "Date of Service", payer = "Payer",
    pos = "POS", patient_id = "Patient ID", patient_dob = "DOB",
    provider_npi = "Rendering NPI", provider_discipline = "Discipline",
    provider_credential = "Credential", diagnoses = { "Dx 1", "Dx 2", "Dx 3" },
    cpt = "CPT", minutes = "Minutes", units = "Units", by = "Performed By",
    modifiers = "Modifiers", intervention = "Intervention",
    note_total_timed_minutes = "Total Timed Minutes",
  },
}
