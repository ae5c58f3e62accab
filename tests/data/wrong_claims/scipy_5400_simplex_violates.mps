* scipy issue #5400 (data as in scipy test_linprog.py test_bug_5400)
NAME scipy_5400
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
 L  r10
 L  r11
 L  r12
 L  r13
 L  r14
 L  r15
 L  r16
 L  r17
 L  r18
 L  r19
 L  r20
 L  r21
 L  r22
 L  r23
 L  r24
 L  r25
 L  r26
 L  r27
COLUMNS
    x1 obj -1
    x1 r1 1
    x1 r2 1
    x1 r3 1
    x2 obj 1
    x2 r1 -2.99
    x2 r4 1
    x2 r22 1.99
    x2 r24 -1
    x2 r26 -1
    x3 obj 1
    x3 r2 -2.9
    x3 r5 1
    x3 r22 -1
    x3 r24 1.9
    x3 r26 -1
    x4 obj 1
    x4 r2 -3.1
    x4 r3 -3.1
    x4 r6 1
    x4 r22 -1
    x4 r24 2.1
    x4 r26 2.1
    x5 obj 1
    x5 r1 -3
    x5 r7 1
    x5 r23 2
    x5 r25 -1
    x5 r27 -1
    x6 obj 1
    x6 r2 -3
    x6 r8 1
    x6 r23 -1
    x6 r25 2
    x6 r27 -1
    x7 obj 1
    x7 r3 -3
    x7 r9 1
    x7 r23 -1
    x7 r25 -1
    x7 r27 2
    x8 obj 1
    x8 r2 -1
    x8 r3 -1
    x8 r10 1
    x8 r22 -1
    x8 r24 0.1111111111111111
    x8 r26 0.1111111111111111
    x9 obj 1
    x9 r1 -1
    x9 r3 -1
    x9 r11 1
    x9 r22 0.1111111111111111
    x9 r24 -1
    x9 r26 0.1111111111111111
    x10 obj 1
    x10 r1 -1
    x10 r12 1
    x10 r22 0.1111111111111111
    x10 r24 -1
    x10 r26 -1
    x11 obj 1
    x11 r2 -1
    x11 r3 -1
    x11 r13 1
    x11 r23 -1
    x11 r25 0.1111111111111111
    x11 r27 0.1111111111111111
    x12 obj 1
    x12 r1 -1
    x12 r3 -1
    x12 r14 1
    x12 r23 0.1111111111111111
    x12 r25 -1
    x12 r27 0.1111111111111111
    x13 obj 1
    x13 r1 -1
    x13 r2 -1
    x13 r15 1
    x13 r23 0.1111111111111111
    x13 r25 0.1111111111111111
    x13 r27 -1
    x14 r1 1
    x14 r16 -1
    x14 r22 -10000
    x15 r1 1
    x15 r17 -1
    x15 r23 -10000
    x16 r2 1
    x16 r18 -1
    x16 r24 -10000
    x17 r2 1
    x17 r19 -1
    x17 r25 -10000
    x18 r3 1
    x18 r20 -1
    x18 r26 -10000
    x19 r3 1
    x19 r21 -1
    x19 r27 -10000
RHS
    rhs r4 100
    rhs r5 100
    rhs r6 100
    rhs r7 100
    rhs r8 100
    rhs r9 100
    rhs r10 900
    rhs r11 900
    rhs r12 900
    rhs r13 900
    rhs r14 900
    rhs r15 900
BOUNDS
 UP bnd x2 100
 UP bnd x3 100
 UP bnd x4 100
 UP bnd x5 100
 UP bnd x6 100
 UP bnd x7 100
 UP bnd x8 900
 UP bnd x9 900
 UP bnd x10 900
 UP bnd x11 900
 UP bnd x12 900
 UP bnd x13 900
ENDATA
