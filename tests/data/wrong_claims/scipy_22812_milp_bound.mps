* scipy issue #22812
NAME scipy_22812
ROWS
 N  obj
 L  r1
 L  r2
 E  r3
COLUMNS
    MARKER0 'MARKER' 'INTORG'
    x1 r1 3
    x1 r2 -3
    x1 r3 1
    x2 r1 2
    x2 r2 -2
    x2 r3 1
    x3 r1 2
    x3 r2 -4
    x3 r3 1
    x4 r1 -2
    x4 r2 2
    x4 r3 1
    x5 r3 -1
    MARKER1 'MARKER' 'INTEND'
    x6 obj -1
    x6 r1 1
    x6 r2 1
RHS
    rhs r3 1
BOUNDS
 LO bnd x1 0
 UP bnd x1 3
 LO bnd x2 0
 UP bnd x2 3
 LO bnd x3 0
 UP bnd x3 3
 LO bnd x4 0
 UP bnd x4 3
 LO bnd x5 0
 UP bnd x5 2
 UP bnd x6 1
ENDATA
