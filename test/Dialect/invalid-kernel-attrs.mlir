// The kernel contracts (#sattn.kernel, #sattn.launch, #sattn.tensor_map) are
// verified wherever they appear, by attribute name; unknown `sattn.*` names
// are errors. Malformed IR gets a diagnostic, never a crash (these inputs
// crashed sparse-opt while the contracts were undeclared strings and
// integers, issue 19).
// RUN: sparse-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

// expected-error @below {{unknown attribute 'sattn.kernel_role'}}
func.func @old_role(%a: memref<?xf32>) attributes {sattn.kernel_role = "attention"} {
  return
}

// -----

// expected-error @below {{'sattn.kernel' must be a #sattn.kernel, got "attention"}}
func.func @string_kernel(%a: memref<?xf32>) attributes {sattn.kernel = "attention"} {
  return
}

// -----

// expected-error @below {{has 2 parameters but 'sattn.kernel' names 1}}
func.func @short_names(%a: memref<?xf32>, %n: index) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["a"]>} {
  return
}

// -----

// expected-error @below {{kernel arg_names must be non-empty strings, got 7}}
func.func @number_name(%a: memref<?xf32>) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = [7]>} {
  return
}

// -----

// expected-error @below {{kernel block sizes must be positive, got 0x64}}
func.func @zero_block(%a: memref<?xf32>) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 0, block_n = 64, arg_names = ["a"]>} {
  return
}

// -----

// expected-error @below {{unknown kernel role 'prefill'}}
// expected-error @below {{failed to parse Sattn_KernelAttr parameter 'role'}}
func.func @bad_role(%a: memref<?xf32>) attributes {sattn.kernel = #sattn.kernel<role = prefill, block_m = 64, block_n = 64, arg_names = ["a"]>} {
  return
}

// -----

// expected-error @below {{tensor_map arg 3 is past the kernel's 2 parameters}}
func.func @map_past_end(%a: memref<?xbf16>, %m: !llvm.ptr) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["k", "k_map"], tensor_maps = [#sattn.tensor_map<arg = 3, tensor = "k", box_cols = 64, box_rows = 64>]>} {
  return
}

// -----

// expected-error @below {{tensor_map of 'v', which is not a parameter of the kernel}}
func.func @map_of_unknown(%a: memref<?xbf16>, %m: !llvm.ptr) attributes {sattn.kernel = #sattn.kernel<role = attention, block_m = 64, block_n = 64, arg_names = ["k", "k_map"], tensor_maps = [#sattn.tensor_map<arg = 1, tensor = "v", box_cols = 64, box_rows = 64>]>} {
  return
}

// -----

// expected-error @below {{launch threads must be in [1, 1024], got 2048}}
func.func @too_many_threads(%a: memref<?xf32>) attributes {sattn.launch = #sattn.launch<threads = 2048>} {
  return
}

// -----

// expected-error @below {{'sattn.launch' belongs on a kernel function}}
"test.op"() {sattn.launch = #sattn.launch<threads = 64>} : () -> ()

// -----

// expected-error @below {{'sattn.pipelined_loop' is a unit attribute of an scf.for}}
func.func @pipelined_mark_elsewhere() attributes {sattn.pipelined_loop} {
  return
}
