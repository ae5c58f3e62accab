NAME        
ROWS
 N  Obj     
 E  r0      
 E  r1      
 E  r2      
 E  r3      
 E  r4      
 E  r5      
 E  r6      
 E  r7      
 E  r8      
 E  r9      
 E  r10     
 E  r11     
COLUMNS
    MARK0000  'MARKER'                 'INTORG'
    c0        Obj       1
    c0        r8        1
    c1        Obj       1
    c1        r0        1
    c1        r8        1
    c2        Obj       1
    c2        r0        1
    c2        r10       1
    c3        Obj       1
    c3        r1        1
    c3        r10       1
    c4        Obj       1
    c4        r1        1
    c5        Obj       1
    c5        r2        1
    c6        Obj       1
    c6        r0        1
    c6        r2        1
    c7        Obj       1
    c7        r0        1
    c7        r3        1
    c8        Obj       1
    c8        r1        1
    c8        r3        1
    c9        Obj       1
    c9        r1        1
    c10       Obj       1
    c10       r2        1
    c11       Obj       1
    c11       r2        1
    c11       r4        1
    c12       Obj       1
    c12       r3        1
    c12       r4        1
    c13       Obj       1
    c13       r3        1
    c13       r5        1
    c14       Obj       1
    c14       r5        1
    c15       Obj       1
    c15       r6        1
    c16       Obj       1
    c16       r4        1
    c16       r6        1
    c17       Obj       1
    c17       r4        1
    c17       r7        1
    c18       Obj       1
    c18       r5        1
    c18       r7        1
    c19       Obj       1
    c19       r5        1
    c20       Obj       1
    c20       r6        1
    c21       Obj       1
    c21       r6        1
    c21       r9        1
    c22       Obj       1
    c22       r7        1
    c22       r9        1
    c23       Obj       1
    c23       r7        1
    c23       r11       1
    c24       Obj       1
    c24       r11       1
    c25       r0        -2
    c26       r1        -2
    c27       r2        -2
    c28       r3        -2
    c29       r4        -2
    c30       r5        -2
    c31       r6        -2
    c32       r7        -2
    c33       r8        -2
    c34       r9        -2
    c35       r10       -2
    c36       r11       -2
    MARK0001  'MARKER'                 'INTEND'
RHS
    RHS_V     r0        1
    RHS_V     r1        1
    RHS_V     r3        1
    RHS_V     r4        1
    RHS_V     r5        1
    RHS_V     r9        1
    RHS_V     r10       1
    RHS_V     r11       1
BOUNDS
 BV BOUND     c0      
 BV BOUND     c1      
 BV BOUND     c2      
 BV BOUND     c3      
 BV BOUND     c4      
 BV BOUND     c5      
 BV BOUND     c6      
 BV BOUND     c7      
 BV BOUND     c8      
 BV BOUND     c9      
 BV BOUND     c10     
 BV BOUND     c11     
 BV BOUND     c12     
 BV BOUND     c13     
 BV BOUND     c14     
 BV BOUND     c15     
 BV BOUND     c16     
 BV BOUND     c17     
 BV BOUND     c18     
 BV BOUND     c19     
 BV BOUND     c20     
 BV BOUND     c21     
 BV BOUND     c22     
 BV BOUND     c23     
 BV BOUND     c24     
 FR BOUND     c25     
 FR BOUND     c26     
 FR BOUND     c27     
 FR BOUND     c28     
 FR BOUND     c29     
 FR BOUND     c30     
 FR BOUND     c31     
 FR BOUND     c32     
 FR BOUND     c33     
 FR BOUND     c34     
 FR BOUND     c35     
 FR BOUND     c36     
ENDATA
