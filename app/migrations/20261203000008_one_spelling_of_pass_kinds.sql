-- One spelling of each pass kind in every table: `PassKind::code`
-- (`visitor`, `staff_work`, ...). Applications and policies stored the wire
-- name (`Visitor`), passes a lower-case run-together name (`staffwork`) or
-- `vehicle` for a car's pass, whose `vehicle` flag says so on its own.
UPDATE applications SET kind = CASE kind
    WHEN 'Visitor' THEN 'visitor' WHEN 'Contractor' THEN 'contractor' WHEN 'StaffWork' THEN 'staff_work'
    WHEN 'ResidentDay' THEN 'resident_day' WHEN 'TempPersonnel' THEN 'temp_personnel' WHEN 'Event' THEN 'event'
    WHEN 'WalkIn' THEN 'walk_in' ELSE kind END;
UPDATE pass_policies SET kind = CASE kind
    WHEN 'Visitor' THEN 'visitor' WHEN 'Contractor' THEN 'contractor' WHEN 'StaffWork' THEN 'staff_work'
    WHEN 'ResidentDay' THEN 'resident_day' WHEN 'TempPersonnel' THEN 'temp_personnel' WHEN 'Event' THEN 'event'
    WHEN 'WalkIn' THEN 'walk_in' ELSE kind END;
UPDATE passes SET kind = (SELECT a.kind FROM applications a WHERE a.id = passes.application_id) WHERE kind = 'vehicle';
UPDATE passes SET kind = CASE kind
    WHEN 'staffwork' THEN 'staff_work' WHEN 'residentday' THEN 'resident_day' WHEN 'temppersonnel' THEN 'temp_personnel'
    WHEN 'walkin' THEN 'walk_in' ELSE kind END;
