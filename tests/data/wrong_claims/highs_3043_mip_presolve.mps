NAME highs_3043
ROWS
 N  obj
 G  c1
COLUMNS
    x obj 2
    x c1 1
    MARKER0 'MARKER' 'INTORG'
    z obj 3
    z c1 1
    MARKER1 'MARKER' 'INTEND'
RHS
    rhs c1 4.5
BOUNDS
 UP bnd x 10
 UP bnd z 10
ENDATA
