* scipy issue #18907 (first example, as in scipy test_presolve_gh18907): binary 0/1 bounds, all integer
NAME scipy_18907
ROWS
 N  obj
 L  r1
 L  r2
 L  r3
 L  r4
 L  r5
 L  r6
 L  r7
 L  r8
 L  r9
COLUMNS
    MARKER0 'MARKER' 'INTORG'
    x1 obj -0.85850509
    x1 r1 1
    x1 r8 1
    x1 r9 -1
    x2 obj -0.82892676
    x2 r1 1
    x2 r8 1
    x2 r9 -1
    x3 obj -0.80026454
    x3 r1 1
    x3 r8 1
    x3 r9 -1
    x4 obj -0.63015535
    x4 r1 1
    x4 r8 1
    x4 r9 -1
    x5 obj -0.5099006
    x5 r1 1
    x5 r4 1
    x5 r5 -1
    x6 obj -0.50077193
    x6 r1 1
    x6 r4 1
    x6 r5 -1
    x7 obj -0.4894404
    x7 r1 1
    x7 r4 1
    x7 r5 -1
    x8 obj -0.47285865
    x8 r1 1
    x8 r4 1
    x8 r5 -1
    x9 obj -0.39867774
    x9 r1 1
    x9 r8 1
    x9 r9 -1
    x10 obj -0.38069646
    x10 r1 1
    x10 r4 1
    x10 r5 -1
    x11 obj -0.36733012
    x11 r1 1
    x11 r8 1
    x11 r9 -1
    x12 obj -0.36733012
    x12 r1 1
    x12 r8 1
    x12 r9 -1
    x13 obj -0.35820411
    x13 r1 1
    x13 r8 1
    x13 r9 -1
    x14 obj -0.31576141
    x14 r1 1
    x14 r8 1
    x14 r9 -1
    x15 obj -0.20626091
    x15 r1 1
    x15 r2 1
    x15 r3 -1
    x16 obj -0.12466144
    x16 r1 1
    x16 r8 1
    x16 r9 -1
    x17 obj -0.10679516
    x17 r1 1
    x17 r8 1
    x17 r9 -1
    x18 obj -0.1061887
    x18 r1 1
    x18 r6 1
    x18 r7 -1
    x19 obj -0.1061887
    x19 r1 1
    x19 r6 1
    x19 r7 -1
    x20 obj -0.1061887
    x20 r1 1
    x20 r6 1
    x20 r7 -1
    x21 r1 1
    x21 r2 1
    x21 r3 -1
    x22 r1 1
    x22 r8 1
    x22 r9 -1
    x23 r1 1
    x23 r8 1
    x23 r9 -1
    x24 r1 1
    x24 r8 1
    x24 r9 -1
    x25 r2 -25
    x25 r3 2
    x26 r4 -25
    x26 r5 2
    x27 r6 -25
    x27 r7 2
    x28 r8 -25
    x28 r9 2
    MARKER1 'MARKER' 'INTEND'
RHS
    rhs r1 100
BOUNDS
 LO bnd x1 0
 UP bnd x1 1
 LO bnd x2 0
 UP bnd x2 1
 LO bnd x3 0
 UP bnd x3 1
 LO bnd x4 0
 UP bnd x4 1
 LO bnd x5 0
 UP bnd x5 1
 LO bnd x6 0
 UP bnd x6 1
 LO bnd x7 0
 UP bnd x7 1
 LO bnd x8 0
 UP bnd x8 1
 LO bnd x9 0
 UP bnd x9 1
 LO bnd x10 0
 UP bnd x10 1
 LO bnd x11 0
 UP bnd x11 1
 LO bnd x12 0
 UP bnd x12 1
 LO bnd x13 0
 UP bnd x13 1
 LO bnd x14 0
 UP bnd x14 1
 LO bnd x15 0
 UP bnd x15 1
 LO bnd x16 0
 UP bnd x16 1
 LO bnd x17 0
 UP bnd x17 1
 LO bnd x18 0
 UP bnd x18 1
 LO bnd x19 0
 UP bnd x19 1
 LO bnd x20 0
 UP bnd x20 1
 LO bnd x21 0
 UP bnd x21 1
 LO bnd x22 0
 UP bnd x22 1
 LO bnd x23 0
 UP bnd x23 1
 LO bnd x24 0
 UP bnd x24 1
 LO bnd x25 0
 UP bnd x25 1
 LO bnd x26 0
 UP bnd x26 1
 LO bnd x27 0
 UP bnd x27 1
 LO bnd x28 0
 UP bnd x28 1
ENDATA
