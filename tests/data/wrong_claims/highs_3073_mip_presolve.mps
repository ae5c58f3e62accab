NAME highs_3073
ROWS
 N  Obj
 E  r0
 L  r1
 L  r2
 L  r3
 L  r4
COLUMNS
    c0        Obj       100
    c0        r0        1
    c1        Obj       0.01
    c1        r1        -1
    c1        r2        -1
    MARK0000  'MARKER'                 'INTORG'
    c2        r0        1
    c2        r1        1
    c2        r2        -1
    c2        r3        1
    c2        r4        -1
    MARK0001  'MARKER'                 'INTEND'
RHS
    RHS_V     r0        3
    RHS_V     r3        3
    RHS_V     r4        -0.45
BOUNDS
 FR BOUND     c1
 PL BOUND     c2
ENDATA
