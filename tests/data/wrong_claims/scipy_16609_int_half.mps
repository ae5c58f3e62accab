* scipy issue #16609: min t s.t. y = 0.5, t >= 0, y integer (free)
NAME scipy_16609
ROWS
 N  obj
 E  r1
COLUMNS
    t obj 1
    MARKER0 'MARKER' 'INTORG'
    y r1 1
    MARKER1 'MARKER' 'INTEND'
RHS
    rhs r1 0.5
BOUNDS
 FR bnd y
ENDATA
